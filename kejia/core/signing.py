"""What every kind of signed certificate shares (membership certificates, kejia/memberships;
attendance certificates, kejia/activities): the token format, its signature and its check with
published public keys, the verdict, and the registry of kinds the public /verify page dispatches
on. The signing keys themselves (their registry, rotation, sealing) are in
kejia/memberships/certificates.py; docs/certificates.md describes the format.

    token   = PREFIX + b64url(payload) + "." + b64url(signature)          (no padding)
    payload = UTF-8 of the kind's fields joined by "|" (dates as YYYYMMDD)
    signature = Ed25519 over PREFIX + payload"""

import base64
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TOKEN = 1000


class CertificateState(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    FORGED = "forged", _("Forged or damaged")


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳修文 → 欧***; Latin names keep the first letter of each word."""
    name = (name or "").strip()
    if not name:
        return "*"
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    return name[0] + "*" * (len(name) - 1)


def sign(values: dict[str, str], private: Ed25519PrivateKey, *, prefix: str, names: tuple[str, ...]) -> str:
    """A token: `prefix` + b64url(payload) + "." + b64url(signature), payload the `names` fields
    joined by "|", signed over prefix + payload."""
    payload = "|".join(str(values[name]).replace("|", "/") for name in names).encode()
    signature = private.sign(prefix.encode() + payload)
    return prefix + b64e(payload) + "." + b64e(signature)


@lru_cache(maxsize=256)
def public_key(raw_b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64d(raw_b64))


def format_date(d: datetime.date) -> str:
    return d.strftime("%Y%m%d")


def parse_date(text: str) -> datetime.date | None:
    # strptime costs more than the rest of the parsing together; offline verifiers check many tokens.
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return None
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def token_from(text: str) -> str:
    """The token inside what a scanner read: the bare token or the whole verification URL."""
    text = (text or "").strip()
    if "/verify/" in text:
        text = text.rsplit("/verify/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip("/")


@dataclass
class Verdict:
    state: str
    reason: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(CertificateState(self.state).label)

    def as_dict(self) -> dict:
        return {"state": self.state, "label": self.label, "reason": str(self.reason), **self.fields}


def signed_fields(text: str, *, prefix: str, names: tuple[str, ...], keys: dict[str, str]) -> "dict[str, str] | Verdict":
    """The fields of a token whose signature verifies with one of `keys`, or the forged verdict
    saying why not (not a Kejia token, damaged, unknown key, altered). Shared by every kind of
    certificate; each checks its own fields' meaning after."""
    token = token_from(text)
    if len(token) > MAX_TOKEN or not token.startswith(prefix) or token.count(".") != 2:
        return Verdict(CertificateState.FORGED, _("This is not a Kejia certificate."))
    body, sig = token[len(prefix) :].split(".")
    try:
        payload, signature = b64d(body), b64d(sig)
        parts = payload.decode().split("|")
    except (ValueError, UnicodeDecodeError):
        return Verdict(CertificateState.FORGED, _("The certificate is damaged."))
    # Only the one encoding Kejia writes: the decoder would also take padding, stray characters,
    # + and / and set unused bits, so one genuine certificate would have many spellings.
    if len(parts) != len(names) or len(signature) != 64 or b64e(payload) != body or b64e(signature) != sig:
        return Verdict(CertificateState.FORGED, _("The certificate is damaged."))
    fields = dict(zip(names, parts, strict=True))
    public = keys.get(fields["kid"])
    if public is None:
        return Verdict(CertificateState.FORGED, _("The certificate was not signed by a Kejia key."))
    try:
        public_key(public).verify(signature, prefix.encode() + payload)
    except (InvalidSignature, ValueError):
        return Verdict(CertificateState.FORGED, _("The signature does not match: the certificate was altered or forged."))
    return fields


# ---- the kinds of certificate -------------------------------------------------------------


@dataclass(frozen=True)
class CertificateKind:
    """One kind of certificate as the public /verify page sees it: the online check of a token,
    the signed fields with names for display, and the template that shows them."""

    prefix: str
    check: Callable[[str], Verdict]
    describe: Callable[[Verdict], dict]
    template: str


_KINDS: dict[str, CertificateKind] = {}


def register_kind(kind: CertificateKind) -> None:
    """Called by each app that issues certificates, from its AppConfig.ready()."""
    _KINDS[kind.prefix] = kind


def kind_of(token: str) -> CertificateKind | None:
    # The longest prefix first ("KJA1." is not a "KJ1." token).
    for prefix in sorted(_KINDS, key=len, reverse=True):
        if token.startswith(prefix):
            return _KINDS[prefix]
    return None


def prefixes() -> tuple[str, ...]:
    return tuple(_KINDS)
