"""API authentication: a bearer token, or the browser session (CSRF-checked by ninja).

Tokens belong to accounts, which sits above core: the function that turns a token into a user is
named by the setting `API_TOKEN_USER` (kejia.accounts.services.user_for_token), so core imports
no app (docs/architecture.md)."""

import functools

from django.conf import settings
from django.utils.module_loading import import_string
from ninja.security import HttpBearer, SessionAuth


@functools.cache
def _user_for_token():
    return import_string(settings.API_TOKEN_USER)


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = _user_for_token()(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), SessionAuth()]
