"""Certificates of attendance, signed with the same Ed25519 keys as membership certificates
(kejia/core/signing.py: the token format and its check; kejia/memberships/certificates.py: the key
registry, rotation and /verify/keys.json are shared)
and checked on the same public page, /verify/<token>:

    token     = "KJA1." + b64url(payload) + "." + b64url(signature)          (no padding)
    payload   = UTF-8 of kid|serial|organizer code|event id|masked name|event title (≤ 40 characters)|date
                (date of the event's start as YYYYMMDD; no field contains "|")
    signature = Ed25519 over b"KJA1." + payload, by the key `kid`

A certificate is issued on first need for a registration marked attended, and revoked when the
check-in is undone (or by the organizer's staff). It does not expire."""

import datetime
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.activities.choices import RegistrationStatus
from kejia.activities.models import AttendanceCertificate, Event, Registration
from kejia.core import signing
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied
from kejia.core.signing import CertificateState, Verdict, mask_name, token_from
from kejia.memberships import certificates as keys
from kejia.organizations.models import Organization

PREFIX = "KJA1."
FIELDS = ("kid", "serial", "organizer", "event", "name", "title", "date")
TITLE_LENGTH = 40


def sign(values: dict[str, str], key) -> str:
    return keys.sign_fields(values, key, prefix=PREFIX, names=FIELDS)


def verify_token(text: str, *, public_keys: dict[str, str]) -> Verdict:
    """The signature check with the given public keys only (offline): valid or forged."""
    fields = signing.signed_fields(text, prefix=PREFIX, names=FIELDS, keys=public_keys)
    if isinstance(fields, Verdict):
        return fields
    day = signing.parse_date(fields["date"])
    if day is None or not fields["event"].isdigit():
        return Verdict(CertificateState.FORGED, _("The certificate is damaged."))
    fields["date"] = day.isoformat()
    return Verdict(CertificateState.VALID, "", fields)


def check_token(text: str) -> Verdict:
    """Online verification (the public /verify page): the signature, then the registry (issued,
    not revoked)."""
    verdict = verify_token(text, public_keys=keys.published_keys())
    if verdict.state == CertificateState.FORGED:
        return verdict
    cert = AttendanceCertificate.objects.filter(serial=verdict.fields["serial"]).first()
    if cert is None or cert.token != token_from(text):
        return Verdict(CertificateState.FORGED, _("No certificate with this serial was issued."), verdict.fields)
    if cert.revoked_at is not None:
        return Verdict(
            CertificateState.REVOKED,
            _("Revoked on %(date)s: %(reason)s") % {"date": timezone.localtime(cert.revoked_at).date().isoformat(), "reason": cert.revoke_reason},
            verdict.fields,
        )
    return verdict


def describe(verdict: Verdict) -> dict:
    """What the verification page shows: the signed fields, with the organizer's name for its code."""
    data = verdict.fields
    if not data or verdict.state == CertificateState.FORGED:
        return {}
    organizer = Organization.objects.filter(code=data.get("organizer", "")).only("name").first()
    event = Event.objects.filter(pk=int(data["event"])).only("pk", "title", "status", "audience").first() if data.get("event") else None
    return {
        "organizer": organizer.name if organizer else data.get("organizer", ""),
        "title": data.get("title", ""),
        "name": data.get("name", ""),
        "date": data.get("date", ""),
        "serial": data.get("serial", ""),
        "event": event,
    }


def verification_url(cert: AttendanceCertificate) -> str:
    return f"{settings.SITE_URL}/verify/{cert.token}"


def certificate_for(reg: Registration) -> AttendanceCertificate | None:
    """The live certificate of an attended registration, issued on first need; None otherwise."""
    if reg.status != RegistrationStatus.ATTENDED:
        return None
    existing = reg.certificates.filter(revoked_at__isnull=True).select_related("key").first()
    if existing is not None:
        return existing
    event = reg.event
    key = keys.signing_key()
    serial = secrets.token_hex(8).upper()
    values = {
        "kid": key.kid,
        "serial": serial,
        "organizer": event.organization.code,
        "event": str(event.pk),
        "name": mask_name(reg.name),
        "title": event.title[:TITLE_LENGTH],
        "date": timezone.localtime(event.starts_at).strftime("%Y%m%d"),
    }
    try:
        with transaction.atomic():
            cert = AttendanceCertificate.objects.create(registration=reg, serial=serial, key=key, token=sign(values, key))
            record_event(actor=None, action="attendance_certificate.issued", obj=reg, organization=event.organization, new={"serial": serial, "kid": key.kid})
    except IntegrityError:  # issued by a concurrent request a moment ago
        return reg.certificates.filter(revoked_at__isnull=True).first()
    return cert


def issue_missing(user, *, limit: int = 200) -> int:
    """Issue the certificates of the user's attended registrations that have none yet (one query
    when there is nothing to issue, which is the usual case)."""
    from kejia.activities import selectors

    live = AttendanceCertificate.objects.filter(registration=OuterRef("pk"), revoked_at__isnull=True)
    missing = selectors.events_of_user(user).filter(status=RegistrationStatus.ATTENDED).exclude(Exists(live))[:limit]
    return sum(certificate_for(reg) is not None for reg in missing)


def revoke_certificates(reg: Registration, *, reason: str, now: datetime.datetime | None = None) -> int:
    """Revoke every live certificate of a registration (inside the caller's transaction)."""
    return reg.certificates.filter(revoked_at__isnull=True).update(revoked_at=now or timezone.now(), revoke_reason=str(reason)[:200])


@transaction.atomic
def revoke_certificate(cert: AttendanceCertificate, *, actor, reason: str, now: datetime.datetime | None = None) -> AttendanceCertificate:
    org = cert.registration.event.organization
    if not scope.can_manage(actor, org):
        raise PermissionDenied(_("Only the organizer's staff may do this."))
    cert = AttendanceCertificate.objects.select_for_update().get(pk=cert.pk)
    if cert.revoked_at is not None:
        raise IllegalTransition("illegal_transition", _("This certificate is already revoked."))
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DomainError("required", _("Say why the certificate is revoked: the verification page shows it."), field="reason")
    cert.revoked_at, cert.revoke_reason = now or timezone.now(), reason
    cert.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
    record_event(actor=actor, action="attendance_certificate.revoked", obj=cert.registration, organization=org, new={"serial": cert.serial, "reason": reason})
    return cert
