"""Bad input never gives a 500 (issue 16): every page of the permission
matrix read by GET, with each of its path segments and each GET parameter its
view reads replaced in turn by every value of a small corpus of hostile
input, answers 4xx or the page (with a message), never 5xx.

PostgreSQL refuses a NUL byte in text where SQLite takes it: this test finds
most in the PostgreSQL pass, and must pass on both.

The GET parameters fuzzed are not listed by hand: a normal request of each
URL, as each persona, page and htmx fragment, records the keys its view asks
``request.GET`` for (``RecordGetKeys``), plus the keys of the row's own query.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from .test_permission_matrix import MATRIX, url_patterns

CORPUS = (
    "\x00",  # PostgreSQL refuses NUL in text
    "\x07\x1b[0m",  # other control characters: XML (feeds, XLSX) refuses them
    "x" * 10 * 1024,
    "9" * 10 * 1024,  # digits past int()'s limit (4300)
    "9999-12-31",
    "9999-12",
    "0001-01-01",
    "-1",
    "0",
    "99999999999999999999",  # past PostgreSQL's bigint
    "1e400",  # past the largest float
    "Ségur 漢字 🙂 \u202e",  # accents, CJK, emoji, a right-to-left override
    "²",  # isdigit(), yet int() refuses it
    "../",
)
# Who may read most pages: a lead, an editor and an admin.
PERSONAS = ("admin", "lead", "editor")
MODES = {"page": {}, "htmx": {"HX-Request": "true"}}
GET_ROWS = sorted(name for name, row in MATRIX.items() if row.method == "get")
PATTERNS = dict(url_patterns())


class RecordingQueryDict(QueryDict):
    """``request.GET`` that writes down every key a view asks for."""

    asked: set[str] | None = None

    def _ask(self, key) -> None:
        if self.asked is not None:
            self.asked.add(key)

    def __getitem__(self, key):
        self._ask(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._ask(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._ask(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._ask(key)
        return super().getlist(key, default)

    def __deepcopy__(self, memo):  # request.GET.copy(): the copy records too
        result = super().__deepcopy__(memo)
        result.asked = self.asked
        return result

    def __copy__(self):
        result = super().__copy__()
        result.asked = self.asked
        return result


class RecordGetKeys:
    """Test-only middleware, first of all: the response says which GET keys
    were asked for (``response.asked_get_keys``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        asked: set[str] = set()
        recording = RecordingQueryDict(request.META.get("QUERY_STRING", ""))
        recording.asked = asked
        request.GET = recording
        response = self.get_response(request)
        response.asked_get_keys = asked
        return response


class _ServerError(Exception):
    """Rolls the request's savepoint back: on PostgreSQL a failed query
    leaves the test's transaction unusable until then."""


def fuzzed_urls(name: str, row, kwargs: dict, keys: set[str]):
    """(what was changed, URL) for each path segment and GET key × each value."""
    query = parse_qsl(row.query.lstrip("?"), keep_blank_values=True)
    converters = PATTERNS[name].pattern.converters
    for kwarg in kwargs:
        converter = converters.get(kwarg)  # none for a regular expression (allauth)
        placeholder = "987654321" if converter and converter.regex == "[0-9]+" else "zzfuzzzz"
        path = reverse(name, kwargs={**kwargs, kwarg: placeholder})
        for value in CORPUS:
            # The raw path: a value the converter refuses must be a 404, not a 500.
            yield f"<{kwarg}>={value!r:.40}", path.replace(placeholder, quote(value, safe=""), 1)
    path = reverse(name, kwargs=kwargs)
    for key in sorted(keys):
        for value in CORPUS:
            changed = [(k, v) for k, v in query if k != key] + [(key, value)]
            yield f"?{key}={value!r:.40}", f"{path}?{urlencode(changed)}"


def readers(row) -> list[str]:
    """The personas of ``PERSONAS`` who may read the page; all of them when
    none may (the view still runs, to answer 404 or send elsewhere)."""
    return [persona for persona in PERSONAS if row.expect[persona] == 200] or list(PERSONAS)


@pytest.mark.parametrize("name", GET_ROWS)
def test_bad_input_never_gives_a_server_error(name, client_as, settings):
    settings.MIDDLEWARE = [f"{__name__}.RecordGetKeys", *settings.MIDDLEWARE]
    row = MATRIX[name]
    kwargs = row.url_kwargs()
    clients = {p: client_as(p, raise_request_exception=False) for p in PERSONAS}
    url = reverse(name, kwargs=kwargs) + row.query
    keys = {key for key, _ in parse_qsl(row.query.lstrip("?"), keep_blank_values=True)}
    fragments = False  # the view answers an htmx request with a fragment
    for client in clients.values():
        for headers in MODES.values():
            response = client.get(url, headers=headers)
            assert response.status_code < 500, f"{url} fails without any bad input"
            keys |= response.asked_get_keys
            fragments |= "HX-Request" in response.get("Vary", "")
    # Every value in every place, as a page and, where the view has one, as a
    # fragment; the personas take turns (the run stays within minutes).
    who = readers(row)
    failures = []
    for index, (changed, target) in enumerate(fuzzed_urls(name, row, kwargs, keys)):
        plan = [(who[index % len(who)], "page")]
        if fragments:
            plan.append((who[(index + 1) % len(who)], "htmx"))
        for persona, mode in plan:
            try:
                with transaction.atomic():
                    response = clients[persona].get(target, headers=MODES[mode])
                    if response.status_code >= 500:
                        raise _ServerError
            except _ServerError:
                error = response.exc_info[1] if response.exc_info else ""
                failures.append(
                    f"{changed} as {persona} ({mode}): {response.status_code} "
                    f"{type(error).__name__}: {str(error)[:120]}"
                )
    assert not failures, f"{url} ({len(failures)} failures):\n" + "\n".join(failures)


def test_the_recorder_sees_what_a_view_reads(client_as, settings):
    """The calendar's month reads ``mois`` and its filters: the recorder must
    see them, or the test above would fuzz nothing."""
    settings.MIDDLEWARE = [f"{__name__}.RecordGetKeys", *settings.MIDDLEWARE]
    response = client_as("lead").get(reverse("calendar_month") + "?mois=2023-10")
    assert {"mois", "type", "public", "sujet", "moi"} <= response.asked_get_keys


# --- Values posted outside a form --------------------------------------------------
# Forms refuse what they cannot keep (Django's CharField refuses NUL); these
# are the values views read from request.POST themselves.


@pytest.mark.parametrize("item", ["pas-un-numero", "²", "9" * 10 * 1024, "-1", "\x00"])
def test_an_agenda_line_that_is_no_number_is_not_found(client_as, item):
    url = reverse("event_agenda", kwargs={"slug": "temps-de-partage-2023-10-12"})
    response = client_as("lead", raise_request_exception=False).post(
        url, {"action": "up", "item": item}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("sujet", ["\x00", "9\x00", "²", "9" * 10 * 1024, "../"])
def test_a_feedback_on_a_topic_that_is_no_number_or_slug_is_not_found(client_as, sujet):
    from concertation.tests.feedback_helpers import feedback_post

    response = client_as("federation", raise_request_exception=False).post(
        reverse("feedback_new"), feedback_post(sujet=sujet)
    )
    assert response.status_code == 404


@pytest.mark.parametrize("subject", ["topics.topic:²", "topics.topic:" + "9" * 10 * 1024, "\x00"])
def test_following_a_subject_that_is_no_number_is_not_found(client_as, subject):
    response = client_as("editor", raise_request_exception=False).post(
        reverse("follow"), {"subject": subject}
    )
    assert response.status_code == 404


def test_an_answer_of_the_inbox_keeps_no_nul(client_as, persona_user):
    """The inbox's answers are read without a form: the NUL a form would
    refuse is dropped, the rest of the answer is kept."""
    from concertation.feedback import services
    from concertation.models import Feedback
    from topics.models import Requirement, Sons

    requirement = Requirement.objects.get(reference="SC.DMP/UX.10")
    feedback = services.save_feedback(
        by=persona_user("federation"),
        data=services.FeedbackInput(
            topic=requirement.topic,
            kind=Feedback.Kind.CHANGE_REQUEST,
            argument="Argument",
            requirements=[requirement],
            sons=[Sons.objects.get(code="LGC")],
            current_wording="Actuel",
            proposed_wording="Proposé",
            new_element="Élément nouveau",
        ),
        file=True,
    )
    response = client_as("lead", raise_request_exception=False).post(
        reverse("feedback_inbox_answer"),
        {
            "choisis": [feedback.pk],
            f"suite-{feedback.pk}": "accepted",
            f"reponse-{feedback.pk}": "Accepté\x00, merci.",
            f"version-{feedback.pk}": feedback.version,
        },
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.answer_text == "Accepté, merci."
