"""API authentication: a bearer token, or the browser session (CSRF-checked by ninja)."""

from ninja.security import HttpBearer, SessionAuth

from kejia.accounts.services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), SessionAuth()]
