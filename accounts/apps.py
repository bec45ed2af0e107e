from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes et organisations")

    def ready(self):
        from . import signals  # noqa: F401 - connects the audit log's receivers

        keep_allauth_state_in_the_database()


def keep_allauth_state_in_the_database() -> None:
    """allauth keeps its rate limits and the TOTP codes already used in
    ``django.core.cache.cache``, the Redis cache in production. With Redis
    down every sign-in answered 429 (the rate limiter could not take its lock)
    and every TOTP code was refused. Its two modules get the database-backed
    "security" cache instead (settings.CACHES); if allauth moves them, this
    fails at start rather than letting that state go back to Redis."""
    from allauth.core.internal import ratelimit
    from allauth.mfa.totp.internal import auth as totp
    from django.core.cache import caches
    from django.core.exceptions import ImproperlyConfigured
    from django.utils.connection import ConnectionProxy

    security_cache = ConnectionProxy(caches, "security")
    for module in (ratelimit, totp):
        if not isinstance(getattr(module, "cache", None), ConnectionProxy):
            raise ImproperlyConfigured(
                f"{module.__name__} no longer reads django.core.cache.cache: "
                "see accounts.apps.keep_allauth_state_in_the_database"
            )
        module.cache = security_cache
