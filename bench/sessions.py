"""Signed-in sessions for the benchmark's people, written to the session store.

The bench does not post the login form 50 times (each post is one password
hashing and, for leads and admins, a TOTP code): it writes each session the
way a successful sign-in leaves it, with the same keys Django's ``login()``
and allauth write (user, backend, session hash of the password, allauth's
record of the password and TOTP steps for the people who must pass TOTP) and
the session clock of ``accounts.security``. The portal then checks these
sessions exactly as it checks real ones (idle and total limits, TOTP
obligation, password hash).

Prints one JSON object: for each person, the session cookie and the path of
their own iCalendar feed; the topics' numbers and the requirements' references.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segur_portal.settings")

import django

django.setup()

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from accounts import security  # noqa: E402
from accounts.models import User  # noqa: E402
from calendar_app.models import CalendarFeed  # noqa: E402
from segur_portal.loaddata import EMAIL_DOMAIN  # noqa: E402
from topics.models import Requirement, Topic  # noqa: E402

# How many people of each role sign in (>= 50 in all, every role).
PER_ROLE = {User.Role.ADMIN: 4, User.Role.LEAD: 12, User.Role.FEDERATION: 14, User.Role.EDITOR: 30}
BACKEND = "django.contrib.auth.backends.ModelBackend"


def sign_in(user: User) -> str:
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    security.start_session_clock(store)
    now = time.time()
    methods = [{"method": "password", "at": now, "email": user.email}]
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        methods.append({"method": "mfa", "at": now, "id": totp.pk, "type": totp.type})
    store[AUTHENTICATION_METHODS_SESSION_KEY] = methods
    store["account_authentication_methods_user"] = str(user.pk)
    store.create()
    return store.session_key


def main() -> None:
    people = []
    for role, count in PER_ROLE.items():
        users = User.objects.filter(role=role, email__endswith=f"@{EMAIL_DOMAIN}").order_by("pk")
        # Spread over the organisations: every n-th person of the role.
        chosen = list(users[:: max(1, users.count() // count)][:count])
        people += chosen
    feeds = dict(CalendarFeed.objects.filter(user__in=people).values_list("user_id", "token"))
    out = [
        {
            "email": user.email,
            "role": user.role,
            "cookie": f"{settings.SESSION_COOKIE_NAME}={sign_in(user)}",
            "ical": f"/calendrier/ical/{feeds[user.pk]}.ics",
        }
        for user in people
    ]
    topics = [str(n) for n in Topic.objects.exclude(number=None).values_list("number", flat=True)]
    references = list(
        Requirement.objects.filter(applicabilities__isnull=False)
        .distinct()
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    json.dump({"people": out, "topics": topics, "references": references}, sys.stdout)


if __name__ == "__main__":
    main()
