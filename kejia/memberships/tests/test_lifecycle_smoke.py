import datetime

import pytest

from kejia.memberships import applications, certificates, dues, transitions
from kejia.memberships.choices import CertificateState, MembershipStatus

pytestmark = pytest.mark.django_db


def test_apply_approve_pay_certificate_verify(tree, society, applicant, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    full = society.classes["full"]
    m = applications.apply_for_membership(actor=tree.worker, society=tree.soc, member_class=full, person=applicant, statement="hi")
    assert m.status == MembershipStatus.APPLIED
    m = transitions.approve_membership(m, actor=tree.society_secretary)
    assert m.status == MembershipStatus.APPLIED and m.step == 1
    m = transitions.approve_membership(m, actor=tree.society_secretary)
    assert m.status == MembershipStatus.ACTIVE and m.number == f"SOC-{m.joined_on.year}-00001"
    p = dues.record_payment(m, actor=tree.society_secretary, year=m.joined_on.year, amount="100", receipt_no="R1")
    m.refresh_from_db()
    assert m.paid_through == datetime.date(p.year, 12, 31)
    cert = certificates.current_certificate(m)
    assert certificates.check_certificate(cert.token).state == CertificateState.VALID
    assert certificates.current_certificate(m).pk == cert.pk
    transitions.suspend_membership(m, actor=tree.society_secretary, reason="test")
    assert certificates.check_certificate(cert.token).state == CertificateState.REVOKED
