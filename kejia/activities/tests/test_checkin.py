"""Check-in at the door (by code, by list, twice, too early, the wrong event) and certificates of
attendance (signed, verified, tampered, forged, revoked)."""

import datetime

import pytest
from django.urls import reverse

from kejia.activities import certificates, registration
from kejia.activities.choices import RegistrationStatus
from kejia.activities.models import AttendanceCertificate
from kejia.activities.tests.conftest import DAY, make_event
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied
from kejia.core.models import AuditEvent
from kejia.memberships.certificates import b64d, b64e, rotate_key
from kejia.memberships.choices import CertificateState

R = RegistrationStatus


@pytest.fixture
def event(tree):
    return make_event(tree, capacity=1)


@pytest.fixture
def regs(event, people):
    return (registration.register_for_event(event, actor=people.a), registration.register_for_event(event, actor=people.b))


def test_check_in_by_scanned_url_marks_attendance(tree, event, regs):
    a, _b = regs
    scanned = f"http://127.0.0.1:8000/activities/ticket/{a.checkin_code}/"
    result = registration.check_in(event, actor=tree.county_staff, code=scanned, now=event.starts_at)
    a.refresh_from_db()
    assert not result.already and a.status == R.ATTENDED
    assert a.checked_in_at == event.starts_at and a.checked_in_by == tree.county_staff
    assert AuditEvent.objects.filter(action="registration.checked_in", object_id=str(a.pk)).count() == 1


def test_check_in_twice_is_a_message_not_an_error(tree, event, regs):
    a, _b = regs
    registration.check_in(event, actor=tree.county_staff, code=a.checkin_code, now=event.starts_at)
    again = registration.check_in(event, actor=tree.nj_staff, code=a.checkin_code, now=event.starts_at + DAY / 24)
    assert again.already and again.registration.checked_in_by == tree.county_staff
    assert again.registration.checked_in_at == event.starts_at
    assert AuditEvent.objects.filter(action="registration.checked_in").count() == 1


def test_check_in_waitlisted_or_cancelled_is_refused(tree, event, regs, people):
    a, b = regs
    with pytest.raises(IllegalTransition) as exc:
        registration.check_in(event, actor=tree.county_staff, registration=b, now=event.starts_at)
    assert exc.value.code == "waitlisted"
    registration.cancel_registration(b, actor=people.b)
    with pytest.raises(IllegalTransition) as exc:
        registration.check_in(event, actor=tree.county_staff, registration=b, now=event.starts_at)
    assert exc.value.code == "cancelled"


def test_check_in_unknown_code_or_other_events_ticket_is_refused(tree, event, regs, people):
    with pytest.raises(DomainError) as exc:
        registration.check_in(event, actor=tree.county_staff, code="no-such-code", now=event.starts_at)
    assert (exc.value.code, exc.value.field) == ("unknown_code", "code")
    with pytest.raises(DomainError) as exc:
        registration.check_in(event, actor=tree.county_staff, code="  ", now=event.starts_at)
    assert exc.value.code == "required"
    other = make_event(tree, title="另一场活动")
    ticket = registration.register_for_event(other, actor=people.c)
    with pytest.raises(DomainError) as exc:
        registration.check_in(event, actor=tree.county_staff, code=ticket.checkin_code, now=event.starts_at)
    assert exc.value.code == "other_event"
    ticket.refresh_from_db()
    assert ticket.status == R.CONFIRMED


def test_check_in_outside_its_window_is_refused(tree, event, regs):
    a, _b = regs
    with pytest.raises(IllegalTransition) as exc:
        registration.check_in(event, actor=tree.county_staff, registration=a, now=event.starts_at - 2 * DAY)
    assert exc.value.code == "checkin_not_open"
    with pytest.raises(IllegalTransition) as exc:
        registration.check_in(event, actor=tree.county_staff, registration=a, now=event.ends_at + 8 * DAY)
    assert exc.value.code == "checkin_closed"
    registration.check_in(event, actor=tree.county_staff, registration=a, now=event.starts_at - DAY / 2)


def test_check_in_needs_a_staff_role_of_the_organizer(tree, event, regs):
    a, _b = regs
    for actor in (tree.sibling_staff, tree.county_leader, tree.worker, tree.wx_staff):
        with pytest.raises(PermissionDenied):
            registration.check_in(event, actor=actor, registration=a, now=event.starts_at)
    a.refresh_from_db()
    assert a.status == R.CONFIRMED


def test_check_in_a_cancelled_event_is_refused(tree, people):
    from kejia.activities import services

    event = make_event(tree)
    a = registration.register_for_event(event, actor=people.a)
    services.cancel_event(event, actor=tree.county_staff, reason="取消")
    event.refresh_from_db()
    with pytest.raises(IllegalTransition):
        registration.check_in(event, actor=tree.county_staff, registration=a, now=event.starts_at)


def test_undo_check_in_revokes_the_certificate(tree, event, regs):
    a, _b = regs
    registration.check_in(event, actor=tree.county_staff, registration=a, now=event.starts_at)
    a.refresh_from_db()
    cert = certificates.certificate_for(a)
    registration.undo_check_in(a, actor=tree.county_staff)
    a.refresh_from_db(), cert.refresh_from_db()
    assert a.status == R.CONFIRMED and a.checked_in_at is None and cert.revoked_at is not None
    assert certificates.check_token(cert.token).state == CertificateState.REVOKED
    with pytest.raises(IllegalTransition):
        registration.undo_check_in(a, actor=tree.county_staff)
    assert certificates.certificate_for(a) is None


# ---- Certificates ---------------------------------------------------------------------------------


@pytest.fixture
def attended(tree, event, regs):
    a, _b = regs
    registration.check_in(event, actor=tree.county_staff, registration=a, now=event.starts_at)
    a.refresh_from_db()
    return a


def test_certificate_is_issued_once_and_verifies(tree, attended):
    cert = certificates.certificate_for(attended)
    assert certificates.certificate_for(attended).pk == cert.pk
    assert cert.token.startswith("KJA1.")
    verdict = certificates.check_token(cert.token)
    assert verdict.state == CertificateState.VALID
    assert verdict.fields["organizer"] == "XW" and verdict.fields["event"] == str(attended.event_id)
    assert verdict.fields["name"] == "用******"  # the name masked: 用户alice
    assert verdict.fields["title"] == attended.event.title


def test_certificate_not_issued_before_attendance(tree, regs):
    a, _b = regs
    assert certificates.certificate_for(a) is None
    assert not AttendanceCertificate.objects.exists()


def test_tampered_certificate_is_forged(attended):
    cert = certificates.certificate_for(attended)
    body, sig = cert.token[len("KJA1.") :].split(".")
    payload = b64d(body).decode().replace("用******", "张*")
    tampered = "KJA1." + b64e(payload.encode()) + "." + sig
    assert certificates.check_token(tampered).state == CertificateState.FORGED
    assert certificates.check_token("KJA1.garbage.more").state == CertificateState.FORGED
    assert certificates.check_token("KJA1." + body + "." + b64e(b"\0" * 64)).state == CertificateState.FORGED
    assert certificates.check_token("hello").state == CertificateState.FORGED


def test_certificate_signed_by_an_unknown_key_is_forged(attended):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    cert = certificates.certificate_for(attended)
    body = cert.token[len("KJA1.") :].split(".")[0]
    payload = b64d(body)
    forger = Ed25519PrivateKey.generate()
    forged = "KJA1." + body + "." + b64e(forger.sign(b"KJA1." + payload))
    assert certificates.check_token(forged).state == CertificateState.FORGED


def test_certificate_not_in_the_registry_is_forged(attended):
    cert = certificates.certificate_for(attended)
    AttendanceCertificate.objects.filter(pk=cert.pk).update(serial="0000000000000000")
    verdict = certificates.check_token(cert.token)
    assert verdict.state == CertificateState.FORGED


def test_certificate_still_verifies_after_key_rotation(attended):
    cert = certificates.certificate_for(attended)
    rotate_key()
    assert certificates.check_token(cert.token).state == CertificateState.VALID


def test_revoke_certificate_shows_revoked(tree, attended):
    cert = certificates.certificate_for(attended)
    with pytest.raises(PermissionDenied):
        certificates.revoke_certificate(cert, actor=tree.sibling_staff, reason="x")
    with pytest.raises(DomainError):
        certificates.revoke_certificate(cert, actor=tree.county_staff, reason=" ")
    certificates.revoke_certificate(cert, actor=tree.county_staff, reason="冒名签到")
    verdict = certificates.check_token(cert.token)
    assert verdict.state == CertificateState.REVOKED and "冒名签到" in str(verdict.reason)
    with pytest.raises(IllegalTransition):
        certificates.revoke_certificate(cert, actor=tree.county_staff, reason="again")
    new = certificates.certificate_for(attended)  # a new one is issued on next need
    assert new.pk != cert.pk


def test_verify_page_shows_attendance_certificates(client, attended):
    cert = certificates.certificate_for(attended)
    response = client.get(f"/verify/{cert.token}")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-state="valid"' in content and 'data-kind="attendance"' in content
    assert attended.event.title in content and "用户alice" not in content and "用******" in content
    body, sig = cert.token[len("KJA1.") :].split(".")
    tampered = "KJA1." + b64e(b64d(body).replace(b"XW", b"QH")) + "." + sig
    response = client.get(f"/verify/{tampered}")
    assert 'data-state="forged"' in response.content.decode()
    certificates.revoke_certificate(cert, actor=attended.event.created_by, reason="撤销测试")
    assert 'data-state="revoked"' in client.get(f"/verify/{cert.token}").content.decode()


def test_verify_form_accepts_a_scanned_attendance_url(client, attended):
    cert = certificates.certificate_for(attended)
    response = client.get(reverse("verify:form"), {"t": certificates.verification_url(cert)})
    assert response.status_code == 302 and response["Location"].endswith(cert.token)


def test_membership_verification_still_works_beside_attendance(client, db):
    response = client.get("/verify/KJ1.abc.def")
    assert response.status_code == 200 and 'data-state="forged"' in response.content.decode()
    assert 'data-kind="attendance"' not in response.content.decode()


def test_certificate_date_is_the_local_start_date(tree, people):
    event = make_event(tree, start_in=DAY * 3)
    reg = registration.register_for_event(event, actor=people.a)
    registration.check_in(event, actor=tree.county_staff, registration=reg, now=event.starts_at)
    reg.refresh_from_db()
    verdict = certificates.check_token(certificates.certificate_for(reg).token)
    from django.utils import timezone

    assert verdict.fields["date"] == timezone.localtime(event.starts_at).date().isoformat()
    assert isinstance(datetime.date.fromisoformat(verdict.fields["date"]), datetime.date)
