"""OpenID Connect sign-in is off by default and switched on by the environment."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
setup_test_environment()
apps = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
print("apps", [(a["provider_id"], a["settings"]["server_url"]) for a in apps])
print("url", reverse("openid_connect_login", kwargs={"provider_id": "proconnect"}))
print("installed", "allauth.socialaccount" in settings.INSTALLED_APPS)
page = Client().get("/compte/login/").content.decode()
print("button", "ProConnect" in page and 'action="/compte/oidc/proconnect/login/"' in page)
"""


def _run(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROCONNECT_", "PSC_"))}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**env, "DJANGO_SETTINGS_MODULE": "segur_portal.settings", **extra_env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=False,
    )


def test_openid_connect_is_off_by_default():
    assert "allauth.socialaccount" not in settings.INSTALLED_APPS
    assert not getattr(settings, "SOCIALACCOUNT_PROVIDERS", None)


def test_proconnect_is_switched_on_by_its_environment_variables():
    result = _run(
        {
            "PROCONNECT_CLIENT_ID": "client-id",
            "PROCONNECT_SECRET": "client-secret",
            "PROCONNECT_SERVER_URL": "https://auth.proconnect.example/api/v2",
        }
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["apps"] == "[('proconnect', 'https://auth.proconnect.example/api/v2')]"
    assert lines["url"] == "/compte/oidc/proconnect/login/"
    assert lines["installed"] == "True"
    assert lines["button"] == "True"
