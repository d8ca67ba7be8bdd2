"""API tokens that expire and can be revoked.

A token is valid for ``API_TOKEN_TTL`` after it was issued (a working day by default); an expired token is
deleted when it is next presented, and ``POST /api/token/`` then issues a new one. A token ends earlier when
its user logs out of the site or revokes it (``DELETE /api/token/``).
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def expires_at(token: Token):
    return token.created + settings.API_TOKEN_TTL


def current_token(user) -> Token:
    """The user's valid token, a new one when there is none or it has expired."""
    Token.objects.filter(user=user, created__lte=timezone.now() - settings.API_TOKEN_TTL).delete()
    return Token.objects.get_or_create(user=user)[0]


def revoke_tokens(user) -> int:
    return Token.objects.filter(user=user).delete()[0]


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token …``, refused once the token is older than ``API_TOKEN_TTL``."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= expires_at(token):
            token.delete()
            raise AuthenticationFailed("令牌已过期，请重新获取。")
        return user, token


@receiver(user_logged_out)
def revoke_at_logout(sender, request, user, **kwargs) -> None:
    """Logging out of the site ends the user's API access too."""
    if user is not None:
        revoke_tokens(user)
