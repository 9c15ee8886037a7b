"""Secrets the server keeps in its own database (the certificate signing keys), sealed with
AES-256-GCM under a key derived from SECRET_KEY — not from PII_KEY, so that whoever may unseal
personal data still cannot sign, and not stored in the database, so that a copy of the database
alone unseals nothing (outside development SECRET_KEY is never the published default:
kejia.core.keys).

Changing SECRET_KEY: put the old value in SECRET_KEY_FALLBACKS (Django's own rotation setting);
unsealing tries the current key and then the fallbacks, and the owner of each sealed value
re-seals it under the current key (`manage.py reseal_certificate_keys`) before the fallback is
dropped."""

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "s1:"


class CannotUnseal(Exception):
    """Neither SECRET_KEY nor any of SECRET_KEY_FALLBACKS opens the sealed value."""


def _key(secret: str, purpose: str) -> AESGCM:
    return AESGCM(hmac.new(secret.encode(), b"kejia-seal-v1:" + purpose.encode(), hashlib.sha256).digest())


def seal(value: str, *, purpose: str) -> str:
    """`value` sealed under the current SECRET_KEY; `purpose` separates the keys of different uses."""
    nonce = os.urandom(12)
    sealed = _key(settings.SECRET_KEY, purpose).encrypt(nonce, value.encode(), purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(token: str, *, purpose: str) -> tuple[str, bool]:
    """(the value, whether it was sealed under the current SECRET_KEY rather than a fallback)."""
    if not token.startswith(PREFIX):
        raise CannotUnseal("not a value sealed by kejia.core.sealing")
    blob = base64.urlsafe_b64decode(token[len(PREFIX) :].encode())
    for i, secret in enumerate([settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]):
        try:
            return _key(secret, purpose).decrypt(blob[:12], blob[12:], purpose.encode()).decode(), i == 0
        except InvalidTag:
            continue
    raise CannotUnseal("SECRET_KEY and SECRET_KEY_FALLBACKS do not open this value")


def is_sealed(token: str) -> bool:
    return token.startswith(PREFIX)
