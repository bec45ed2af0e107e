"""Permission matrix rows of the accounts' URLs and of allauth's second factor.

Rules (README.md, "Roles"): leads and admins manage organisations and
invitations; admins alone change roles, reset a second factor and read the
audit log; a member sees their own organisation, nobody else's; a person's
account pages (profile, data, closure) are their own and name no one else.
"""

from core.testing import LOGIN, REDIRECT, Row, everyone, members, only

AUTHORITY = ("admin", "lead", "lead2")
WITH_TOTP = AUTHORITY  # the test session gives leads and admins a TOTP device


def _pk(email: str):
    def kwargs() -> dict:
        from accounts.models import User

        return {"pk": User.objects.get(email=email).pk}

    return kwargs


ROWS = {
    "organisation_list": Row(only(AUTHORITY)),
    "organisation_create": Row(only(AUTHORITY)),
    # Own organisation vs someone else's: the LGC editor sees its own page.
    "organisation_detail": Row(only((*AUTHORITY, "editor")), kwargs={"slug": "editeur-demo-lgc"}),
    "organisation_edit": Row(only(AUTHORITY), kwargs={"slug": "editeur-demo-lgc"}),
    # Someone else's account: the authority reads it, nobody else (own: profile).
    "person_detail": Row(only(AUTHORITY), kwargs=_pk("editor@demo.example")),
    "person_reset_mfa": Row(
        only(("admin",), REDIRECT), kwargs=_pk("editor@demo.example"), method="post"
    ),
    "invitation_list": Row(only(AUTHORITY)),
    # No such invitation: the authority is told so, others may not even ask.
    "invitation_revoke": Row(only(AUTHORITY, 404), kwargs={"pk": 999999}, method="post"),
    # An unknown invitation link: "not valid", for anyone.
    "invitation_accept": Row(everyone(404), kwargs={"token": "not-a-token"}),
    "profile": Row(members(200)),
    "my_data": Row(members(200)),
    # Closing an account asks for the password again first.
    "close_account": Row(members(REDIRECT)),
    "audit_log": Row(only(("admin",))),
    # allauth's second factor: everyone may set one up; leads and admins must.
    "mfa_index": Row(members(200)),
    # Adding a device asks for the password again (or, with one already, goes
    # to deactivation).
    "mfa_activate_totp": Row(members(REDIRECT)),
    "mfa_deactivate_totp": Row({**members(404), **dict.fromkeys(WITH_TOTP, REDIRECT)}),
    "mfa_authenticate": Row(everyone(REDIRECT) | {"anonymous": LOGIN}),
    "mfa_reauthenticate": Row({**members(REDIRECT), **dict.fromkeys(WITH_TOTP, 200)}),
    # Recovery codes come with TOTP; seeing them asks for the password again.
    "mfa_view_recovery_codes": Row({**members(404), **dict.fromkeys(WITH_TOTP, REDIRECT)}),
    "mfa_generate_recovery_codes": Row(members(REDIRECT)),  # without TOTP: back to the index
    "mfa_download_recovery_codes": Row({**members(404), **dict.fromkeys(WITH_TOTP, REDIRECT)}),
}
