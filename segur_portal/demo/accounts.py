"""The SONS, task forces, organisations and demo accounts that every demo needs.

Task-force contacts are fictitious people at example.org: the portal never
ships real people's addresses.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Organisation, TaskForce, TaskForceLead, User
from topics.models import Sons

DEMO_PASSWORD = "segur-demo-2023"  # noqa: S105 - documented, for local demos only

TASK_FORCES = [
    # (slug, name, fictitious public contacts)
    ("hopital", "Hôpital", [("Claire", "Dubois"), ("Nicolas", "Lefèvre")]),
    ("medecine-de-ville", "Médecine de ville", [("Sophie", "Martin"), ("Camille", "Bernard")]),
    ("imagerie-ris", "Imagerie RIS", [("Julien", "Moreau")]),
    ("imagerie-db", "Imagerie DB", [("Julien", "Moreau"), ("Mathilde", "Girard")]),
]

SONS = [
    # (code, name, task force slug, aliases, in the "Tous" scope)
    ("DPI", "Dossier patient informatisé", "hopital", "", True),
    ("PFI", "Plateforme d'intermédiation", "hopital", "", True),
    ("RIS", "Système d'information de radiologie (RIS)", "imagerie-ris", "", True),
    ("DB", "DRIMbox", "imagerie-db", "", True),
    ("LGC", "Logiciel de gestion de cabinet", "medecine-de-ville", "", True),
    ("SGL", "Système de gestion de laboratoire (biologie médicale)", None, "BIO", False),
]

AUTHORITY = "Pouvoirs publics (DNS / ANS)"
FEDERATION_1 = "Fédération démo des éditeurs de santé"
FEDERATION_2 = "Fédération démo des industriels du numérique hospitalier"
EDITOR_LGC = "Éditeur démo LGC"
EDITOR_DPI = "Éditeur démo DPI"
# The "outsider" of the permission matrix: an editor with nothing in common
# with the others (sells RIS, member of no federation).
EDITOR_RIS = "Éditeur démo RIS"

# (e-mail, given name, family name, role, organisation, task force slug)
DEMO_ACCOUNTS = [
    ("admin@demo.example", "Alice", "Admin", User.Role.ADMIN, AUTHORITY, None),
    ("lead@demo.example", "Louise", "Ville", User.Role.LEAD, AUTHORITY, "medecine-de-ville"),
    ("lead2@demo.example", "Léo", "Hôpital", User.Role.LEAD, AUTHORITY, "hopital"),
    ("federation@demo.example", "Fanny", "Fédération", User.Role.FEDERATION, FEDERATION_1, None),
    ("federation2@demo.example", "Félix", "Fédération", User.Role.FEDERATION, FEDERATION_2, None),
    ("editor@demo.example", "Émile", "Éditeur", User.Role.EDITOR, EDITOR_LGC, None),
    ("editor2@demo.example", "Élise", "Éditrice", User.Role.EDITOR, EDITOR_DPI, None),
    ("outsider@demo.example", "Oscar", "Extérieur", User.Role.EDITOR, EDITOR_RIS, None),
]


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)


@transaction.atomic
def ensure_sons_and_task_forces() -> None:
    """The six SONS and the four task forces with their fictitious contacts."""
    authority = _organisation(AUTHORITY, Organisation.Kind.AUTHORITY)
    for order, (slug, name, contacts) in enumerate(TASK_FORCES, start=1):
        task_force, _ = TaskForce.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": order}
        )
        for position, (given, family) in enumerate(contacts, start=1):
            email = f"{_slug(given)}.{_slug(family)}@example.org"
            contact, _ = User.objects.get_or_create(
                email=email,
                defaults={
                    "given_name": given,
                    "family_name": family,
                    "role": User.Role.LEAD,
                    "organisation": authority,
                    "profession": "Responsable de task force",
                },
            )
            if contact.has_usable_password():
                contact.set_unusable_password()
                contact.save(update_fields=["password"])
            TaskForceLead.objects.update_or_create(
                task_force=task_force,
                user=contact,
                defaults={"is_public_contact": True, "order": position},
            )
    for order, (code, name, task_force_slug, aliases, in_concertation) in enumerate(SONS, 1):
        Sons.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "task_force": TaskForce.objects.get(slug=task_force_slug)
                if task_force_slug
                else None,
                "aliases": aliases,
                "in_concertation": in_concertation,
                "order": order,
            },
        )


def _organisation(name: str, kind: str) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        slug=_slug(name), defaults={"name": name, "kind": kind}
    )
    return organisation


@transaction.atomic
def create_demo_accounts() -> list[User]:
    """Verified demo accounts, one per persona, all with DEMO_PASSWORD. Idempotent."""
    ensure_sons_and_task_forces()
    kind = Organisation.Kind
    _organisation(AUTHORITY, kind.AUTHORITY)
    federation_1 = _organisation(FEDERATION_1, kind.FEDERATION)
    federation_2 = _organisation(FEDERATION_2, kind.FEDERATION)
    editor_lgc = _organisation(EDITOR_LGC, kind.EDITOR)
    editor_dpi = _organisation(EDITOR_DPI, kind.EDITOR)
    editor_ris = _organisation(EDITOR_RIS, kind.EDITOR)
    editor_lgc.federations.set([federation_1])
    editor_dpi.federations.set([federation_2])
    editor_ris.federations.set([])
    Sons.objects.get(code="LGC").editors.add(editor_lgc)
    Sons.objects.get(code="DPI").editors.add(editor_dpi)
    Sons.objects.get(code="RIS").editors.add(editor_ris)

    users = []
    for email, given, family, role, organisation_name, task_force_slug in DEMO_ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "given_name": given,
                "family_name": family,
                "role": role,
                "organisation": Organisation.objects.get(slug=_slug(organisation_name)),
                "is_staff": role == User.Role.ADMIN,
                "is_superuser": role == User.Role.ADMIN,
                "is_active": True,
            },
        )
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if task_force_slug:
            TaskForceLead.objects.update_or_create(
                task_force=TaskForce.objects.get(slug=task_force_slug),
                user=user,
                defaults={"is_public_contact": False, "order": 99},
            )
        users.append(user)
    return users
