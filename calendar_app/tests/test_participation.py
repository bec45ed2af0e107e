"""Registrations for workshops, and the questions of a session (the deck:
"Merci de noter vos questions au fur et à mesure … un temps de réponses est
prévu en fin de séance")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from calendar_app.models import Event, Question, QuestionVote, Registration
from core.testing import unescaped

PARIS = ZoneInfo("Europe/Paris")
BEFORE = datetime(2023, 10, 2, 9, 0, tzinfo=PARIS)  # before the 03/10 workshop and 12/10 session
WORKSHOP = "atelier-n1-n3-2023-10-03"
SESSION = "temps-de-partage-2023-10-12"


@pytest.fixture
def before():
    with time_machine.travel(BEFORE, tick=False):
        yield


# --- Registrations ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_participant_registers_their_organisation_and_leads_see_the_list(client_as, before):
    url = reverse("event_register", kwargs={"slug": WORKSHOP})
    page = reverse("event_detail", kwargs={"slug": WORKSHOP})
    editor = client_as("editor")
    assert "Inscrire Éditeur démo LGC" in unescaped(editor.get(page))
    response = editor.post(url)
    assert response.status_code == 302
    (registration,) = Registration.objects.filter(event__slug=WORKSHOP)
    assert registration.organisation.name == "Éditeur démo LGC"
    assert registration.registered_by.email == "editor@demo.example"
    html = unescaped(editor.get(page))
    assert "est inscrite à « Atelier N1/N3 »" in html
    assert "Votre organisation est inscrite" in html
    # Twice: refused, still one registration.
    editor.post(url)
    assert "déjà inscrite" in unescaped(editor.get(page))
    assert Registration.objects.filter(event__slug=WORKSHOP).count() == 1
    # The list of organisations is for the leads.
    assert "Éditeur démo LGC" in unescaped(client_as("lead2").get(page)).split("Inscriptions")[1]
    other = unescaped(client_as("editor2").get(page)).split("Inscriptions")[1]
    assert "Éditeur démo LGC" not in other
    assert "1 organisation inscrite" in other
    # Unregister.
    editor.post(reverse("event_unregister", kwargs={"slug": WORKSHOP}))
    assert not Registration.objects.filter(event__slug=WORKSHOP).exists()


@pytest.mark.django_db
def test_a_full_workshop_refuses_clearly(client_as, before):
    Event.objects.filter(slug=WORKSHOP).update(capacity=1)
    url = reverse("event_register", kwargs={"slug": WORKSHOP})
    assert client_as("federation").post(url).status_code == 302
    response = client_as("editor2").post(url, follow=True)
    html = unescaped(response)
    assert "Cet atelier est complet (1 organisations inscrites)" in html
    assert Registration.objects.filter(event__slug=WORKSHOP).count() == 1
    assert "Inscrire Éditeur démo DPI" not in html


@pytest.mark.django_db
def test_no_registration_for_a_past_or_cancelled_workshop_or_a_session(client_as, persona_user):
    from calendar_app import services

    client = client_as("editor")
    with time_machine.travel(datetime(2023, 10, 4, 9, 0, tzinfo=PARIS), tick=False):
        html = unescaped(client.post(reverse("event_register", args=[WORKSHOP]), follow=True))
        assert "Cet atelier a eu lieu" in html
    with time_machine.travel(BEFORE, tick=False):
        services.cancel_event(Event.objects.get(slug=WORKSHOP), by=persona_user("lead"))
        html = unescaped(client.post(reverse("event_register", args=[WORKSHOP]), follow=True))
        assert "Cet atelier est annulé" in html
        html = unescaped(client.post(reverse("event_register", args=[SESSION]), follow=True))
        assert "Seuls les ateliers prennent des inscriptions" in html
    assert not Registration.objects.exists()
    # Leads do not register: they run the workshop.
    with time_machine.travel(BEFORE, tick=False):
        assert client_as("lead").post(reverse("event_register", args=[WORKSHOP])).status_code == 403


@pytest.mark.django_db
def test_one_registration_per_organisation_in_the_database(persona_user):
    user = persona_user("editor")
    event = Event.objects.get(slug=WORKSHOP)
    Registration.objects.create(event=event, organisation=user.organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, organisation=user.organisation)


# --- Questions ------------------------------------------------------------------------


def ask(client, text: str, **extra):
    return client.post(reverse("question_ask", kwargs={"slug": SESSION}), {"text": text}, **extra)


@pytest.mark.django_db
def test_questions_are_asked_supported_once_and_answered(client_as, before):
    page = reverse("event_detail", kwargs={"slug": SESSION})
    editor, editor2, federation = client_as("editor"), client_as("editor2"), client_as("federation")
    assert ask(editor, "Le KO d'intégration MSS est-il notifié à l'expéditeur ?").status_code == 302
    ask(editor2, "Quel calendrier pour les indicateurs INSq ?")
    question = Question.objects.get(text__startswith="Quel calendrier")
    assert question.organisation.name == "Éditeur démo DPI"
    vote = reverse("question_vote", kwargs={"pk": question.pk})
    # Supported by others, once per person; not by its author.
    editor.post(vote)
    federation.post(vote)
    html = unescaped(editor2.post(vote, follow=True))
    assert "Vous ne pouvez pas soutenir votre propre question" in html
    assert question.votes.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionVote.objects.create(question=question, user=question.votes.first().user)
    # The most supported first.
    html = unescaped(client_as("editor").get(page))
    questions = html.split('id="questions-title"')[1]
    assert questions.index("Quel calendrier") < questions.index("Le KO d'intégration")
    assert "2 soutiens" in questions
    assert "Retirer mon soutien" in questions  # editor supports it
    # Supporting again withdraws the support.
    editor.post(vote)
    assert question.votes.count() == 1
    # Leads answer; the answer is published.
    answer_url = reverse("question_answer", kwargs={"pk": question.pk})
    assert client_as("editor").get(answer_url).status_code == 403
    lead = client_as("lead")
    assert lead.get(answer_url).status_code == 200
    response = lead.post(answer_url, {"answer": "Les indicateurs INSq sont attendus en **2024**."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answered_by.email == "lead@demo.example"
    event = Event.objects.get(slug=SESSION)
    # What the decision record of the session (issue 4) reads.
    assert list(event.questions.answered()) == [question]
    html = unescaped(client_as("federation2").get(page))
    assert "Les indicateurs INSq sont attendus en <strong>2024</strong>." in html


@pytest.mark.django_db
def test_a_question_with_htmx_answers_the_fragment(client_as, before):
    response = ask(client_as("editor"), "", HTTP_HX_REQUEST="true")
    html = unescaped(response)
    assert "<html" not in html
    assert "Ce champ est obligatoire" in html
    response = ask(client_as("editor"), "Et les DRIMbox ?", HTTP_HX_REQUEST="true")
    assert "Et les DRIMbox ?" in unescaped(response)
    assert "<html" not in response.content.decode()


@pytest.mark.django_db
def test_questions_close_when_the_session_is_over(client_as):
    client = client_as("editor")
    # During the session (14h): still open.
    with time_machine.travel(datetime(2023, 10, 12, 15, 0, tzinfo=PARIS), tick=False):
        ask(client, "Pendant la séance ?")
    with time_machine.travel(datetime(2023, 10, 13, 9, 0, tzinfo=PARIS), tick=False):
        html = unescaped(ask(client, "Trop tard ?", follow=True))
    assert "Les questions sont closes pour cet événement" in html
    assert list(Question.objects.values_list("text", flat=True)) == ["Pendant la séance ?"]
    # Leads do not ask: they answer.
    with time_machine.travel(BEFORE, tick=False):
        assert ask(client_as("lead"), "?").status_code == 403


@pytest.mark.django_db
def test_answers_are_searchable(client_as, persona_user):
    from calendar_app import services

    editor, lead = persona_user("editor"), persona_user("lead")
    event = Event.objects.get(slug=SESSION)
    with time_machine.travel(BEFORE, tick=False):
        answered = services.ask_question(event, by=editor, text="Quid de l'antivirus en SaaS ?")
        services.answer_question(answered, by=lead, answer="Le SaaS relève de l'hébergeur.")
        services.ask_question(event, by=editor, text="Une question sans réponse sur l'antivirus")
    url = reverse("question_search")
    html = unescaped(client_as("editor2").get(url, {"q": "hébergeur"}))
    assert "Quid de l'antivirus en SaaS ?" in html
    html = unescaped(client_as("editor2").get(url, {"q": "antivirus"}))
    assert "Quid de l'antivirus" in html
    assert "sans réponse" not in html
    html = unescaped(client_as("editor2").get(url, {"q": "INSq"}))
    assert "Aucune réponse ne contient ces mots" in html
    fragment = client_as("editor2").get(url, {"q": "SaaS"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "Quid de l'antivirus" in unescaped(fragment)
