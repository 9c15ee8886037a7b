"""Verifiable membership certificates (seed 002 §(5): a nationwide unified membership
certification). docs/certificates.md describes the format so another system can verify a
certificate without Kejia:

    token   = "KJ1." + b64url(payload) + "." + b64url(signature)          (no padding)
    payload = UTF-8 of kid|serial|society code|member number|masked name|class code|valid from|valid until
              (dates as YYYYMMDD; no field contains "|")
    signature = Ed25519 over b"KJ1." + payload, by the key `kid`; public keys at /verify/keys.json

The QR code carries SITE_URL + "/verify/" + token, so a phone camera opens the public check page.
Keys rotate: a new key signs from then on, and the older keys stay published, so certificates
they signed still verify."""

import datetime
import json
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.core import pii, sealing, signing
from kejia.core.audit import record_event
from kejia.core.errors import DomainError
from kejia.core.signing import MAX_TOKEN, CertificateState, Verdict, b64d, b64e, mask_name, signed_fields, token_from  # noqa: F401 (this module's API too)
from kejia.memberships.choices import MembershipStatus
from kejia.memberships.models import Certificate, CertificateKey, Membership
from kejia.memberships.periods import certificate_validity

PREFIX = "KJ1."
FIELDS = ("kid", "serial", "society", "number", "name", "member_class", "valid_from", "valid_until")


# ---- keys ---------------------------------------------------------------------------------

# Private keys are sealed under SECRET_KEY (kejia.core.sealing), not PII_KEY: the database alone,
# or with the key of personal data, signs nothing.
SEAL_PURPOSE = "certificate-signing-key"


class SigningKeyUnavailable(DomainError):
    def __init__(self):
        super().__init__(
            "signing_key_unavailable",
            _(
                "The certificate signing key cannot be opened with this server's secret key. An administrator runs "
                "reseal_certificate_keys with the former secret key in SECRET_KEY_FALLBACKS, or rotate_certificate_key."
            ),
        )


def _new_key() -> CertificateKey:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes_raw()
    kid = secrets.token_hex(4)
    return CertificateKey.objects.create(
        kid=kid, public_key=b64e(private.public_key().public_bytes_raw()), private_sealed=sealing.seal(b64e(raw_private), purpose=SEAL_PURPOSE)
    )


def signing_key() -> CertificateKey:
    """The newest unretired key; the first call creates one."""
    key = CertificateKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-id").first()
    if key is None:
        with transaction.atomic():
            # Two first callers at once: the row lock on nothing does not help, so take the newest after creating.
            _new_key()
        key = CertificateKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-id").first()
    return key


@transaction.atomic
def rotate_key(*, actor=None) -> CertificateKey:
    """Retire the signing key and start a new one; old keys keep verifying what they signed."""
    old = list(CertificateKey.objects.select_for_update().filter(retired_at__isnull=True))
    now = timezone.now()
    for key in old:
        key.retired_at = now
        key.save(update_fields=["retired_at", "updated_at"])
    key = _new_key()
    record_event(actor=actor, action="certificate_key.rotated", obj=key, old={"kids": [k.kid for k in old]}, new={"kid": key.kid})
    return key


def _private(kid: str, sealed: str) -> Ed25519PrivateKey:
    return _opened(kid, sealed, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


@lru_cache(maxsize=64)
def _opened(kid: str, sealed: str, secret: str, fallbacks: tuple[str, ...]) -> Ed25519PrivateKey:
    """(The secret keys are part of the cache key: a key opened once is not reused after they change.)"""
    try:
        raw, _current = sealing.unseal(sealed, purpose=SEAL_PURPOSE)
    except sealing.CannotUnseal:
        raise SigningKeyUnavailable() from None
    return Ed25519PrivateKey.from_private_bytes(b64d(raw))


def unseal_legacy(sealed: str) -> str | None:
    """A private key as stored before it was sealed under SECRET_KEY (sealed with PII_KEY), or
    None when PII_KEY does not open it. Used by the migration and by reseal_keys."""
    if not sealed.startswith(pii.PREFIX):
        return None
    try:
        return pii.decrypt(sealed)
    except (InvalidTag, ValueError):
        return None


@transaction.atomic
def reseal_keys(*, actor=None) -> dict[str, list[str]]:
    """Seal every stored private key under the current SECRET_KEY (after SECRET_KEY changed, with
    the former one in SECRET_KEY_FALLBACKS; or keys still sealed with PII_KEY). A key that nothing
    opens any more is retired: what it signed still verifies (its public key stays published), and
    the next certificate is signed by a new key. Returns the kids resealed, already current, retired."""
    done: dict[str, list[str]] = {"resealed": [], "current": [], "retired": []}
    newly_retired: list[str] = []
    for key in CertificateKey.objects.select_for_update().order_by("created_at", "id"):
        raw = unseal_legacy(key.private_sealed)
        if raw is None and sealing.is_sealed(key.private_sealed):
            try:
                raw, current = sealing.unseal(key.private_sealed, purpose=SEAL_PURPOSE)
            except sealing.CannotUnseal:
                raw = None
            else:
                if current:
                    done["current"].append(key.kid)
                    continue
        if raw is None:
            if key.retired_at is None:
                key.retired_at = timezone.now()
                key.save(update_fields=["retired_at", "updated_at"])
                newly_retired.append(key.kid)
            done["retired"].append(key.kid)
            continue
        key.private_sealed = sealing.seal(raw, purpose=SEAL_PURPOSE)
        key.save(update_fields=["private_sealed", "updated_at"])
        done["resealed"].append(key.kid)
    for action, kids in (("certificate_key.resealed", done["resealed"]), ("certificate_key.retired", newly_retired)):
        for key in CertificateKey.objects.filter(kid__in=kids):
            record_event(actor=actor, action=action, obj=key, new={"kid": key.kid})
    return done


def published_keys() -> dict[str, str]:
    """kid → raw Ed25519 public key (urlsafe base64), every key ever used: what /verify/keys.json serves."""
    return dict(CertificateKey.objects.order_by("created_at", "id").values_list("kid", "public_key"))


# ---- tokens -------------------------------------------------------------------------------


def sign_fields(values: dict[str, str], key: CertificateKey, *, prefix: str, names: tuple[str, ...]) -> str:
    """A token of any Kejia certificate kind: `prefix` + b64url(payload) + "." + b64url(signature),
    payload the `names` fields joined by "|", signed over prefix + payload. Attendance
    certificates (kejia/activities/certificates.py) use it with their own prefix and fields."""
    return signing.sign(values, _private(key.kid, key.private_sealed), prefix=prefix, names=names)


def sign_payload(values: dict[str, str], key: CertificateKey) -> str:
    return sign_fields(values, key, prefix=PREFIX, names=FIELDS)


def verify_token(text: str, *, keys: dict[str, str], today: datetime.date | None = None) -> Verdict:
    """Check signature and validity dates with the given public keys only (offline): valid,
    expired or forged. Revocation needs the registry: see `check_certificate`."""
    fields = signing.signed_fields(text, prefix=PREFIX, names=FIELDS, keys=keys)
    if isinstance(fields, Verdict):
        return fields
    start, end = signing.parse_date(fields["valid_from"]), signing.parse_date(fields["valid_until"])
    if start is None or end is None:
        return Verdict(CertificateState.FORGED, _("The certificate is damaged."))
    today = today or timezone.localdate()
    fields["valid_from"], fields["valid_until"] = start.isoformat(), end.isoformat()
    if today > end:
        return Verdict(CertificateState.EXPIRED, _("The certificate expired on %(date)s.") % {"date": end.isoformat()}, fields)
    if today < start:
        return Verdict(CertificateState.FORGED, _("The certificate is not valid before %(date)s.") % {"date": start.isoformat()}, fields)
    return Verdict(CertificateState.VALID, "", fields)


def check_certificate(text: str, *, today: datetime.date | None = None) -> Verdict:
    """Online verification (the public /verify page): the offline checks, then the registry for
    revocation and the membership's current state."""
    verdict = verify_token(text, keys=published_keys(), today=today)
    if verdict.state == CertificateState.FORGED:
        return verdict
    cert = Certificate.objects.select_related("membership").filter(serial=verdict.fields["serial"]).first()
    if cert is None or cert.token != token_from(text):
        return Verdict(CertificateState.FORGED, _("No certificate with this serial was issued."), verdict.fields)
    if cert.revoked_at is not None:
        return Verdict(
            CertificateState.REVOKED,
            _("Revoked on %(date)s: %(reason)s") % {"date": timezone.localtime(cert.revoked_at).date().isoformat(), "reason": cert.revoke_reason},
            verdict.fields,
        )
    if verdict.state == CertificateState.VALID and cert.membership.status != MembershipStatus.ACTIVE:
        return Verdict(CertificateState.REVOKED, _("The membership is no longer active."), verdict.fields)
    return verdict


# ---- certificates -------------------------------------------------------------------------


def current_certificate(membership: Membership, *, today: datetime.date | None = None) -> Certificate | None:
    """The certificate of an active membership for its current validity; issued on first need
    (after approval, a payment, a class change). None when the membership is not active."""

    if membership.status != MembershipStatus.ACTIVE:
        return None
    today = today or timezone.localdate()
    start, end = certificate_validity(membership, today)
    existing = membership.certificates.filter(revoked_at__isnull=True, valid_until=end, valid_from__lte=today).select_related("key").order_by("-id").first()
    if existing is not None:
        return existing
    key = signing_key()
    name = membership.person.name if membership.person_id else membership.unit.name
    serial = secrets.token_hex(8).upper()
    values = {
        "kid": key.kid,
        "serial": serial,
        "society": membership.society.code,
        "number": membership.number,
        "name": mask_name(name) if membership.person_id else name[:60],
        "member_class": membership.member_class.code,
        "valid_from": signing.format_date(start),
        "valid_until": signing.format_date(end),
    }
    with transaction.atomic():
        cert = Certificate.objects.create(membership=membership, serial=serial, key=key, token=sign_payload(values, key), valid_from=start, valid_until=end)
        record_event(
            actor=None, action="certificate.issued", obj=membership, organization=membership.society, new={"serial": serial, "kid": key.kid, "valid_until": end}
        )
    return cert


def revoke_certificates(membership: Membership, *, reason: str) -> int:
    """Revoke every live certificate of a membership (called inside the transition's transaction)."""
    return membership.certificates.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoke_reason=str(reason)[:200])


def verification_url(cert: Certificate) -> str:
    return f"{settings.SITE_URL}/verify/{cert.token}"


def keys_document() -> str:
    """The published keys as JSON, for offline verifiers (`verify_certificate --keys FILE`)."""
    return json.dumps({"algorithm": "Ed25519", "format": "KJ1", "keys": published_keys()}, ensure_ascii=False, indent=1)
