"""Fixtures shared by every test: the demo personas on a database that holds
the demo data, logged-in clients, and Chromium for browser tests."""

from __future__ import annotations

import os
import re
import shutil
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from segur_portal.demo.accounts import DEMO_PASSWORD

# The demo accounts, by persona name (README.md lists them).
PERSONAS = {
    "admin": "admin@demo.example",
    "lead": "lead@demo.example",
    "lead2": "lead2@demo.example",
    "federation": "federation@demo.example",
    "federation2": "federation2@demo.example",
    "editor": "editor@demo.example",
    "editor2": "editor2@demo.example",
    # An editor of an unrelated organisation (sells RIS, in no federation).
    "outsider": "outsider@demo.example",
}


def pytest_configure(config):
    # Hashing passwords for real is slow and tests nothing of ours.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    start_test_clock(config)


def start_test_clock(config) -> None:
    """``TEST_CLOCK=2026-12-06T23:30:00+01:00``: the whole session runs with
    the clock moved to that moment, ticking, from before the database is set
    up (the demo is loaded then) — to find tests that depend on the day or the
    hour. Celery processes the tests start share it (core.testing.celery_process);
    the database server does not (PostgreSQL's now() is the real time)."""
    from core.testing import clock_from_environment

    try:
        moment = clock_from_environment()
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    if moment is not None:
        config.test_clock_start = moment
        config.test_clock = time_machine.travel(moment, tick=True)
        config.test_clock.start()
        time.time()  # a ticking travel ticks from the first reading: from here


def pytest_unconfigure(config):
    if getattr(config, "test_clock", None) is not None:
        config.test_clock.stop()


def pytest_report_header(config):
    if getattr(config, "test_clock", None) is not None:
        paris = config.test_clock_start.astimezone(ZoneInfo(settings.TIME_ZONE))
        return f"TEST_CLOCK: the clock starts at {paris:%A %Y-%m-%d %H:%M:%S %Z} (ticking)"
    return None


def load_demo_data() -> None:
    """The demo accounts and the deck's concertation, at the deck's 2023 dates:
    tests freeze time where "now" matters."""
    with open(os.devnull, "w") as devnull:
        call_command("create_demo_accounts", stdout=devnull)
        call_command("load_demo", "--original-dates", stdout=devnull)
    give_totp_to_those_who_need_it()


def give_totp_to_those_who_need_it() -> None:
    """Leads and admins must pass TOTP (DEBUG is off in tests): their personas
    get a device with the test secret (accounts.testing)."""
    from accounts.models import User
    from accounts.testing import give_totp

    for user in User.objects.filter(email__in=PERSONAS.values()):
        if user.requires_mfa:
            give_totp(user)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo data once per session; each test runs in a transaction
    that is rolled back, so every test starts from the same demo data."""
    with django_db_blocker.unblock():
        load_demo_data()


@pytest.fixture
def demo_data(transactional_db):
    """For transactional tests (live server, worker): the flush between those
    tests empties the database, so reload the demo data when it is missing."""
    from accounts.models import User

    if not User.objects.filter(email=PERSONAS["admin"]).exists():
        load_demo_data()


@pytest.fixture
def persona_user(db):
    from accounts.models import User

    def get(persona: str) -> User:
        return User.objects.get(email=PERSONAS[persona])

    return get


@pytest.fixture
def client_as(db, client, persona_user):
    """A test client logged in as the given persona ("anonymous" for none);
    for leads and admins, the session has passed TOTP as at a real sign-in."""
    from django.test import Client

    from accounts.testing import login_with_mfa

    def make(persona: str, **client_kwargs) -> Client:
        new_client = Client(**client_kwargs)
        if persona != "anonymous":
            login_with_mfa(new_client, persona_user(persona))
        return new_client

    return make


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium. Missing in CI is a failure; elsewhere the browser
    tests skip with a clear message."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        message = (
            "Chromium not found (install Debian's `chromium` package or set CHROMIUM_PATH); "
            "browser tests need it."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _browser_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def page(browser, live_server, demo_data):
    """A fresh browser page on the live server. A failing test leaves a
    screenshot and the page's HTML, and prints where (pytest_runtest_makereport)."""
    yield from _browser_page(browser, live_server)


@pytest.fixture
def no_js(browser, live_server, demo_data):
    """A page of a browser with JavaScript off (progressive enhancement)."""
    yield from _browser_page(browser, live_server, java_script_enabled=False)


@pytest.fixture
def phone(browser, live_server, demo_data):
    """A page the width of a phone."""
    yield from _browser_page(browser, live_server, viewport={"width": 375, "height": 740})


def save_browser_artifacts(item) -> str | None:
    """Screenshot and HTML of every browser page the failed test used (the
    ``page`` fixture and any other page fixture), in
    var/test-artifacts/<test name>/; returns that folder."""
    from playwright.sync_api import Page

    pages = {
        name: value
        for name, value in getattr(item, "funcargs", {}).items()
        if isinstance(value, Page) and not value.is_closed()
    }
    if not pages:
        return None
    safe_name = re.sub(r"[^\w.-]+", "_", item.name)[:150]
    folder = os.path.join(settings.VAR_DIR, "test-artifacts", safe_name)
    os.makedirs(folder, exist_ok=True)
    for name, browser_page in pages.items():
        try:
            browser_page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)
            with open(os.path.join(folder, f"{name}.html"), "w", encoding="utf-8") as f:
                f.write(browser_page.content())
        except Exception as error:  # a crashed page must not hide the test's failure
            with open(os.path.join(folder, f"{name}.error.txt"), "w", encoding="utf-8") as f:
                f.write(repr(error))
    return folder


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    if report.when == "call" and report.failed:
        folder = save_browser_artifacts(item)
        if folder:
            line = f"Browser artefacts (screenshot + HTML) of {item.nodeid}: {folder}"
            # Printed under the failure's traceback.
            report.sections.append(("Browser artefacts", line))
    return report


@pytest.fixture
def broker_down(monkeypatch):
    """Point the Celery app's new connections at an address where nothing
    listens (Celery reads CELERY_BROKER_URL from the environment first), with
    the fail-fast options settings.py gives a Redis broker. Publishing goes
    through pooled connections: the pools start afresh, and are put back."""
    from segur_portal.celery import app

    down = "redis://127.0.0.1:9/0"
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app._pool)
    saved_producers = app.amqp._producer_pool
    monkeypatch.setenv("CELERY_BROKER_URL", down)
    app.conf.broker_url = down
    app.conf.broker_transport_options = {"socket_connect_timeout": 2, "max_retries": 0}
    app._pool = app.amqp._producer_pool = None
    yield
    app.conf.broker_url, app.conf.broker_transport_options, app._pool = saved
    app.amqp._producer_pool = saved_producers


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (Redis in CI persists across tests)."""
    from django.core.cache import cache

    cache.clear()


def log_in(page, persona: str) -> None:
    """Log in through the real login form of any browser page, as a person
    would; leads and admins then type the code of their authenticator app."""
    from accounts.testing import totp_code

    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill(PERSONAS[persona])
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/compte/login/" not in url)
    if "/compte/2fa/authenticate/" in page.url:
        page.locator("input[name=code]").fill(totp_code())
        page.get_by_role("button", name="Connexion", exact=True).click()
        page.wait_for_url(lambda url: "/compte/2fa/" not in url)


@pytest.fixture
def login_as(page):
    """Log the ``page`` fixture in as a persona."""
    return lambda persona: log_in(page, persona)


@pytest.fixture
def browser_login():
    """``browser_login(page, persona)`` for pages of other browser contexts
    (a phone, JavaScript off, a second person)."""
    return log_in
