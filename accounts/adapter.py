from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _

from . import security


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "login_slowed_down": _(
            "Trop de tentatives de connexion ont échoué pour ce compte. Réessayez dans %d s."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        # Participants are invited by the authority; nobody signs themselves up.
        return False

    def get_client_ip(self, request) -> str:
        # The same address as django-axes and the audit log (TRUSTED_PROXY_COUNT).
        return security.client_ip(request) or super().get_client_ip(request)

    def pre_authenticate(self, request, **credentials) -> None:
        # Before allauth counts the attempt: an attempt refused here is not a failure.
        wait = security.login_wait(request, credentials)
        if wait:
            raise self.validation_error("login_slowed_down", wait)
        super().pre_authenticate(request, **credentials)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed passwords per account, and then refuses the
        # right one from anywhere: per account *and address*, as django-axes
        # locks (accounts.security.login_wait slows an account down instead).
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{security.client_ip(request)}"
