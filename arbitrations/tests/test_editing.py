"""The decision forms through HTTP: as whole pages without JavaScript, as
htmx fragments inline, refused on an old version, resubmitted, in bulk, and
published one by one or per session."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from arbitrations.models import Arbitration
from core.testing import assert_queries_constant, unescaped
from topics.models import Requirement, RequirementSons, Sons, Topic

pytestmark = pytest.mark.django_db

IE33 = reverse("decide_requirement", kwargs={"reference": "SC.SSI/IE.33"})
HTMX = {"hx-request": "true"}


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def form_data(page: str, **values) -> dict:
    sons_ids = [str(Sons.objects.get(code=c).pk) for c in values.pop("sons", ["LGC"])]
    data = {
        "base": hidden(page, "base"),
        "token": hidden(page, "token"),
        "retour": hidden(page, "retour"),
        "sons": sons_ids,
        "decision": "modified",
        "comment": "",
        "new_statement": "",
        "session": "",
    }
    data.update(values)
    return data


def test_the_form_is_a_whole_page_and_an_inline_fragment(client_as):
    client = client_as("lead")
    page = unescaped(client.get(IE33))
    assert "<html" in page
    assert "<h1>Arbitrage — SC.SSI/IE.33</h1>" in page
    # The lead of Médecine de ville decides for LGC only.
    assert re.findall(r'name="sons" value="\d+"[^>]*>', page).__len__() == 1
    assert "Exigence conservée" in page  # the current decision, shown
    fragment = client.get(IE33, headers=HTMX)
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div class="portal-editor')
    assert 'hx-post="' in body
    assert 'action="' in body  # the same form works without htmx
    assert 'hx-post="' not in page.split("<main")[1]  # the whole page posts plainly
    assert "hx-indicator" in body


def test_saving_without_javascript_goes_back_where_one_came_from(client_as):
    client = client_as("lead")
    page = unescaped(client.get(IE33 + "?retour=/sujets/7/"))
    response = client.post(IE33, form_data(page, comment="Champ réduit", new_statement="Énoncé"))
    assert response.status_code == 302
    assert response["Location"] == "/sujets/7/"
    draft = Arbitration.objects.drafts().get()
    assert draft.comment == "Champ réduit"
    assert "enregistré en brouillon" in unescaped(client.get("/sujets/7/"))


def test_an_unsafe_return_address_is_ignored(client_as):
    client = client_as("lead")
    page = unescaped(client.get(IE33))
    response = client.post(IE33, form_data(page, retour="https://evil.example/"))
    assert response["Location"] == "/exigences/SC.SSI/IE.33"


def test_saving_inline_tells_the_page_to_refresh_its_decisions(client_as):
    client = client_as("lead")
    page = unescaped(client.get(IE33, headers=HTMX))
    response = client.post(IE33, form_data(page, comment="En ligne"), headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Trigger"] == "decisionsChanged"
    fragment = unescaped(client.get("/sujets/7/", headers=HTMX))
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="topic-decisions"')
    assert "LGC\xa0: Exigence modifiée (brouillon)" in fragment
    assert "enregistré en brouillon" in fragment


def test_an_invalid_form_keeps_what_was_typed(client_as):
    client = client_as("lead")
    page = unescaped(client.get(IE33))
    response = client.post(IE33, form_data(page, decision="", comment="Mon texte précieux"))
    assert response.status_code == 422
    assert "Mon texte précieux" in unescaped(response)
    assert not Arbitration.objects.drafts().exists()
    response = client.post(IE33, form_data(page, sons=[], comment="Encore"))
    assert response.status_code == 422
    assert "Choisissez au moins un SONS." in unescaped(response)


def test_a_new_requirement_needs_its_statement(client_as):
    client = client_as("lead")
    page = unescaped(client.get(IE33))
    response = client.post(IE33, form_data(page, decision="added", new_statement=" "))
    assert response.status_code == 422
    assert "Une nouvelle exigence a besoin de son énoncé." in unescaped(response)


def test_the_second_save_on_the_same_version_is_refused_with_the_first_change_shown(client_as):
    """The issue's check: lead@ and admin@ edit the same decision in two browsers."""
    lead, admin = client_as("lead"), client_as("admin")
    lead_page = unescaped(lead.get(IE33 + "?sons=LGC"))
    admin_page = unescaped(admin.get(IE33 + "?sons=LGC"))
    assert lead.post(IE33, form_data(lead_page, comment="Version du lead")).status_code == 302
    response = admin.post(
        IE33, form_data(admin_page, decision="removed", comment="Version de l'admin")
    )
    assert response.status_code == 409
    page = unescaped(response)
    assert "Quelqu’un a modifié cet arbitrage pendant que vous le rédigiez" in page
    conflict = page.split('id="conflict"')[1].split("</div>\n    <form")[0]
    assert "Version du lead" in conflict
    assert "Louise Ville" in conflict  # who
    assert "Version de l'admin" in page.split('action="/arbitrages/')[1]  # typed, kept
    assert Arbitration.objects.drafts().get().comment == "Version du lead"
    # Saving again, knowingly, replaces the lead's draft.
    again = admin.post(IE33, form_data(page, decision="removed", comment="Version de l'admin"))
    assert again.status_code == 302
    assert Arbitration.objects.drafts().get().comment == "Version de l'admin"


def test_the_conflict_answer_is_swapped_inline_too(client_as):
    lead, admin = client_as("lead"), client_as("admin")
    lead_page = unescaped(lead.get(IE33, headers=HTMX))
    admin_page = unescaped(admin.get(IE33 + "?sons=LGC", headers=HTMX))
    lead.post(IE33, form_data(lead_page, comment="Du lead"), headers=HTMX)
    response = admin.post(IE33, form_data(admin_page, comment="De l'admin"), headers=HTMX)
    assert response.status_code == 409
    body = unescaped(response)
    assert "<html" not in body
    assert "Du lead" in body
    assert "De l'admin" in body


def test_a_double_submit_makes_one_change_and_no_error(client_as):
    client = client_as("lead")
    page = unescaped(client.get(IE33))
    data = form_data(page, comment="Double clic")
    first, second = client.post(IE33, data), client.post(IE33, data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Arbitration.objects.drafts().count() == 1
    assert Arbitration.objects.drafts().get().history.count() == 1


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [
        ("editor", IE33, 403),
        ("federation", IE33, 403),
        # SC.DMP/ALI/PROG.02 is in LGC's set only: not Hôpital's lead's to decide.
        ("lead2", reverse("decide_requirement", kwargs={"reference": "SC.DMP/ALI/PROG.02"}), 403),
        ("lead2", reverse("decide_topic", kwargs={"key": "12"}), 403),
        ("lead", reverse("decide_requirement", kwargs={"reference": "SC.NOPE/01"}), 404),
    ],
)
def test_who_may_open_the_decision_forms(client_as, persona, url, status):
    assert client_as(persona).get(url).status_code == status


def test_wrong_methods_are_refused(client_as):
    client = client_as("lead")
    assert client.put(IE33).status_code == 405
    assert client.get(reverse("publish_decision", kwargs={"pk": 1})).status_code == 405
    session = reverse("session_publish", kwargs={"slug": "temps-de-partage-2023-09-25"})
    assert client.get(session).status_code == 405


def test_an_editor_cannot_post_a_decision(client_as):
    client = client_as("editor")
    response = client.post(IE33, {"decision": "removed", "sons": [Sons.objects.get(code="LGC").pk]})
    assert response.status_code == 403
    assert not Arbitration.objects.drafts().exists()


def test_publishing_one_draft_from_the_requirement_page(client_as):
    lead = client_as("lead")
    page = unescaped(lead.get(IE33))
    lead.post(IE33, form_data(page, comment="À publier"))
    draft = Arbitration.objects.drafts().get()
    requirement_page = unescaped(lead.get("/exigences/SC.SSI/IE.33"))
    assert reverse("publish_decision", kwargs={"pk": draft.pk}) in requirement_page
    # lead2 may not publish a decision on LGC.
    assert client_as("lead2").post(
        reverse("publish_decision", kwargs={"pk": draft.pk}), {"version": draft.version}
    ).status_code in (403, 404)
    response = lead.post(
        reverse("publish_decision", kwargs={"pk": draft.pk}),
        {"version": draft.version, "retour": "/exigences/SC.SSI/IE.33"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published


def test_publishing_with_an_old_version_says_so_and_publishes_nothing(client_as):
    lead = client_as("lead")
    page = unescaped(lead.get(IE33))
    lead.post(IE33, form_data(page, comment="v1"))
    draft = Arbitration.objects.drafts().get()
    old_version = draft.version
    page = unescaped(lead.get(IE33))
    lead.post(IE33, form_data(page, comment="v2"))
    response = lead.post(
        reverse("publish_decision", kwargs={"pk": draft.pk}), {"version": old_version}, follow=True
    )
    assert "a été modifié par quelqu’un d’autre" in unescaped(response)
    assert not Arbitration.objects.published().filter(pk=draft.pk).exists()


def test_a_session_page_publishes_every_draft_of_the_session_its_lead_may(client_as):
    slug = "temps-de-partage-2023-09-25"
    session_field = str(Arbitration.objects.published().first().session_id)
    lead, lead2 = client_as("lead"), client_as("lead2")
    page = unescaped(lead.get(IE33))
    lead.post(IE33, form_data(page, comment="LGC", session=session_field))
    ie30 = reverse("decide_requirement", kwargs={"reference": "SC.SSI/IE.30"})
    page = unescaped(lead2.get(ie30))
    lead2.post(
        ie30, form_data(page, sons=["DPI"], decision="kept", comment="DPI", session=session_field)
    )
    url = reverse("session_decisions", kwargs={"slug": slug})
    html_page = unescaped(lead.get(url))
    assert "Publier le brouillon de la session (1)" in html_page
    assert "(brouillon)" in html_page
    response = lead.post(reverse("session_publish", kwargs={"slug": slug}), follow=True)
    text = unescaped(response)
    assert "1 arbitrage(s) publié(s)" in text
    assert "1 brouillon(s) d’autres task forces attendent leur responsable." in text
    assert Arbitration.objects.drafts().get().comment == "DPI"
    # The session page's list refreshes alone for htmx.
    fragment = unescaped(lead.get(url, headers=HTMX))
    assert fragment.lstrip().startswith('<div id="session-decisions"')
    assert client_as("editor").get(url).status_code == 403


def bulk_url(key="7"):
    return reverse("bulk_decide", kwargs={"key": key})


def bulk_data(page: str, requirements, **values) -> dict:
    data = {
        "token": hidden(page, "token"),
        "sons": [str(Sons.objects.get(code="LGC").pk)],
        "mode": "same",
        "decision": "",
        "comment": "",
        "session": "",
        "requirements": [str(r.pk) for r in requirements],
    }
    for requirement in Requirement.objects.filter(topic__number=7):
        data[f"base_{requirement.pk}"] = hidden(page, f"base_{requirement.pk}")
        data[f"decision_{requirement.pk}"] = ""
        data[f"comment_{requirement.pk}"] = ""
    data.update(values)
    return data


def test_bulk_one_decision_and_one_shared_comment(client_as):
    client = client_as("lead")
    page = unescaped(client.get(bulk_url()))
    chosen = list(Requirement.objects.filter(reference__in=["SC.SSI/IE.34", "SC.SSI/IE.35"]))
    response = client.post(
        bulk_url(),
        bulk_data(page, chosen, decision="modified", comment="Simplification commune"),
    )
    assert response.status_code == 302
    drafts = Arbitration.objects.drafts()
    assert sorted(d.requirement.reference for d in drafts) == ["SC.SSI/IE.34", "SC.SSI/IE.35"]
    assert {d.comment for d in drafts} == {"Simplification commune"}
    assert {tuple(s.code for s in d.sons.all()) for d in drafts} == {("LGC",)}


def test_bulk_one_decision_per_requirement(client_as):
    client = client_as("lead")
    page = unescaped(client.get(bulk_url()))
    ie34, ie35 = Requirement.objects.filter(reference__in=["SC.SSI/IE.34", "SC.SSI/IE.35"])
    data = bulk_data(page, [ie34, ie35], mode="each")
    data.update(
        {
            f"decision_{ie34.pk}": "kept",
            f"comment_{ie34.pk}": "Conservée",
            f"decision_{ie35.pk}": "removed",
            f"comment_{ie35.pk}": "Supprimée",
        }
    )
    assert client.post(bulk_url(), data).status_code == 302
    got = {d.requirement.reference: (d.decision, d.comment) for d in Arbitration.objects.drafts()}
    assert got == {
        "SC.SSI/IE.34": ("kept", "Conservée"),
        "SC.SSI/IE.35": ("removed", "Supprimée"),
    }


def test_bulk_refuses_bad_input_and_stale_state_keeping_the_input(client_as):
    client = client_as("lead")
    page = unescaped(client.get(bulk_url()))
    response = client.post(bulk_url(), bulk_data(page, [], decision="kept", comment="Gardé"))
    assert response.status_code == 422
    assert "Choisissez au moins une exigence." in unescaped(response)
    ie34 = Requirement.objects.get(reference="SC.SSI/IE.34")
    missing = bulk_data(page, [ie34], mode="each")
    assert client.post(bulk_url(), missing).status_code == 422
    # Someone decides IE.34 for LGC meanwhile: nothing of the bulk is saved.
    other = client_as("admin")
    ie34_url = reverse("decide_requirement", kwargs={"reference": "SC.SSI/IE.34"})
    other_page = unescaped(other.get(ie34_url + "?sons=LGC"))
    other.post(ie34_url, form_data(other_page, decision="kept", comment="Par l'admin"))
    ie35 = Requirement.objects.get(reference="SC.SSI/IE.35")
    response = client.post(
        bulk_url(), bulk_data(page, [ie34, ie35], decision="removed", comment="Commun")
    )
    assert response.status_code == 409
    text = unescaped(response)
    assert "Des arbitrages ont changé pendant que vous rédigiez" in text
    assert "Commun" in text
    assert Arbitration.objects.drafts().count() == 1  # the admin's only


def test_topic_page_offers_inline_editing_to_leads_only(client_as):
    lead_page = unescaped(client_as("lead").get("/sujets/7/"))
    assert 'hx-get="/arbitrages/arbitrer/SC.SSI/IE.33?retour=/sujets/7/"' in lead_page
    assert 'href="/arbitrages/arbitrer/SC.SSI/IE.33?retour=/sujets/7/"' in lead_page
    assert "Arbitrer plusieurs exigences à la fois" in lead_page
    editor_page = unescaped(client_as("editor").get("/sujets/7/"))
    assert "/arbitrages/arbitrer/" not in editor_page
    assert "Arbitrer plusieurs" not in editor_page


def test_editing_pages_do_not_grow_with_the_data(client_as):
    topic = Topic.objects.get(number=7)
    lgc = Sons.objects.get(code="LGC")
    counter = iter(range(1000))

    def grow():
        for _ in range(10):
            n = next(counter)
            requirement = Requirement.objects.create(reference=f"SC.GROW/{n:03}", topic=topic)
            RequirementSons.objects.create(requirement=requirement, sons=lgc, statement="…")
            arbitration = Arbitration.objects.create(
                requirement=requirement,
                decision="kept",
                session_id=Arbitration.objects.published().first().session_id,
            )
            arbitration.sons.set([lgc])

    for url in (
        bulk_url(),
        "/sujets/7/",
        IE33,
        reverse("session_decisions", kwargs={"slug": "temps-de-partage-2023-09-25"}),
    ):
        assert_queries_constant(client_as("lead"), url, grow)


@pytest.mark.parametrize(
    "url",
    [
        "/sujets/7/",
        "/exigences/SC.SSI/IE.33",
        IE33,
        bulk_url(),
        reverse("session_decisions", kwargs={"slug": "temps-de-partage-2023-09-25"}),
        reverse("session_record", kwargs={"slug": "temps-de-partage-2023-09-25"}),
        reverse("session_presentation", kwargs={"slug": "temps-de-partage-2023-09-25"}),
        reverse("topic_record", kwargs={"key": "7"}),
        reverse("my_decisions"),
        reverse("my_decisions_feed_settings"),
        "/",
    ],
)
def test_new_pages_keep_the_csp_promise(client_as, url):
    """No inline script, no event handler attribute, no style attribute."""
    page = client_as("admin").get(url).content.decode()
    assert " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "hx-on" not in page
