"""Personal information (PIPL): encryption at rest, keyed hashes for exact look-up, masking.

Values are sealed with AES-256-GCM under settings.PII_KEY. A blind index (HMAC-SHA256 under a
key derived from PII_KEY) lets the database find and de-duplicate a value without holding it."""

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.signals import setting_changed

PREFIX = "v1:"
_active: tuple[AESGCM, bytes] | None = None  # the keys of settings.PII_KEY, derived once (an import seals 200 000 values)


def _keys(raw: str) -> tuple[AESGCM, bytes]:
    key = base64.urlsafe_b64decode(raw.encode())
    if len(key) != 32:
        raise ValueError("PII_KEY must be 32 bytes in urlsafe base64")
    index_key = hmac.new(key, b"kejia-blind-index-v1", hashlib.sha256).digest()
    return AESGCM(key), index_key


def _current() -> tuple[AESGCM, bytes]:
    global _active
    if _active is None:
        _active = _keys(settings.PII_KEY)
    return _active


def _forget(*, setting: str, **kwargs) -> None:
    global _active
    if setting == "PII_KEY":
        _active = None


setting_changed.connect(_forget)


def encrypt(value: str) -> str:
    if not value:
        return ""
    aead, _ = _current()
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, value.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    aead, _ = _current()
    blob = base64.urlsafe_b64decode(token[len(PREFIX) :].encode())
    return aead.decrypt(blob[:12], blob[12:], None).decode()


def blind_index(value: str) -> str:
    if not value:
        return ""
    _, index_key = _current()
    return hmac.digest(index_key, value.encode(), "sha256").hex()  # one C call; the same as hmac.new(…).hexdigest()


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_resident_id(number: str) -> str:
    """The one masked form of a resident ID number, for every page, API answer, export and audit row.

    Only the check character is shown. Pages and exports show the birth date, the gender and the
    region beside it, which are digits 1–6 (often), 7–14 and the parity of 17 of the number; any
    further digit shown would leave a handful of candidates (first 4 and last 4 left ≤ 10, 69 %
    exact with the region). With the check character alone about 45 numbers stay possible
    (500 sequence numbers of the gender, one in 11 with that check character):
    kejia/people/tests/test_masking.py counts them from what each page, API answer and export shows."""
    return f"{'*' * 17}{number[-1]}" if len(number) == 18 else "****"
