"""OpenID Connect sign-in (ProConnect, Pro Santé Connect), when configured.

Imported only when a provider is set in the environment (settings.py): it
signs in a person who already has an account with the same verified address
and never creates one — accounts come from invitations.
"""

from __future__ import annotations

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False
