"""Projects: mid-term review and final acceptance, payments gated by them, the ledger."""

import datetime
from decimal import Decimal

import pytest

from kejia.calls import ledger, workflow
from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.choices import ProjectStatus as P
from kejia.calls.tests.conftest import AFTER_ANNOUNCEMENT, walk_to
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied

DAY = datetime.date(2020, 8, 1)


@pytest.fixture
def project(calls, draft):
    application = walk_to(calls, draft, S.ANNOUNCED)
    return workflow.approve_application(application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)


def _pay(calls, project, tranche, amount, voucher):
    return workflow.record_payment(project, actor=calls.owner, tranche=tranche, amount=amount, paid_on=DAY, voucher=voucher)


def test_record_payment_first_tranche_on_approval(calls, project):
    _pay(calls, project, 1, "175000", "PZ-001")
    line = ledger.project_ledger(project)
    assert line["paid"] == Decimal("175000") and line["held"] == Decimal("175000.00") and line["payable"] == 0


def test_record_payment_second_tranche_held_until_midterm_passed(calls, project):
    with pytest.raises(DomainError) as caught:
        _pay(calls, project, 2, "175000", "PZ-002")
    assert caught.value.code == "gate_not_met"
    project = workflow.pass_midterm(project, actor=calls.owner)
    _pay(calls, project, 2, "175000", "PZ-002")
    assert ledger.project_ledger(project)["paid"] == Decimal("175000")


def test_fail_midterm_withholds_the_final_tranche_for_good(calls, project):
    _pay(calls, project, 1, "175000", "PZ-001")
    with pytest.raises(DomainError):
        workflow.fail_midterm(project, actor=calls.owner, reason="")
    project = workflow.fail_midterm(project, actor=calls.owner, reason="进展滞后")
    assert project.status == P.MIDTERM_FAILED
    with pytest.raises(DomainError) as caught:
        _pay(calls, project, 2, "1", "PZ-002")
    assert caught.value.code == "gate_not_met"
    line = ledger.project_ledger(project)
    assert line["forfeited"] == Decimal("175000.00") and line["tranches"][1]["gate_failed"]


def test_record_payment_beyond_the_tranche_refused(calls, project):
    _pay(calls, project, 1, "100000", "PZ-001")
    with pytest.raises(DomainError) as caught:
        _pay(calls, project, 1, "75000.01", "PZ-002")
    assert caught.value.code == "tranche_overpaid"
    with pytest.raises(DomainError):
        _pay(calls, project, 1, "1", "PZ-001")  # the voucher is already in the ledger


def test_record_payment_by_the_applicant_refused(calls, project):
    with pytest.raises((PermissionDenied, DomainError)):
        workflow.record_payment(project, actor=calls.applicant, tranche=1, amount="1", paid_on=DAY, voucher="X")


def test_conclude_project_needs_a_deliverable(calls, project):
    project = workflow.pass_midterm(project, actor=calls.owner)
    with pytest.raises(DomainError) as caught:
        workflow.conclude_project(project, actor=calls.owner)
    assert caught.value.code == "deliverable_missing"
    with pytest.raises(PermissionDenied):
        workflow.submit_deliverable(project, actor=calls.owner, title="试点报告")
    workflow.submit_deliverable(project, actor=calls.applicant, title="地方科协改革试点报告")
    assert workflow.conclude_project(project, actor=calls.owner).status == P.CONCLUDED


def test_refuse_conclusion_needs_reason(calls, project):
    project = workflow.pass_midterm(project, actor=calls.owner)
    with pytest.raises(DomainError):
        workflow.refuse_conclusion(project, actor=calls.owner, reason=" ")
    project = workflow.refuse_conclusion(project, actor=calls.owner, reason="未完成试点报告")
    assert project.status == P.NOT_CONCLUDED and project.last_reason == "未完成试点报告"


def test_project_transitions_refused_from_wrong_state(calls, project):
    with pytest.raises(IllegalTransition):
        workflow.conclude_project(project, actor=calls.owner)  # before the mid-term review
    with pytest.raises(IllegalTransition):
        workflow.refuse_conclusion(project, actor=calls.owner, reason="x")
    project = workflow.pass_midterm(project, actor=calls.owner)
    with pytest.raises(IllegalTransition):
        workflow.pass_midterm(project, actor=calls.owner)
    with pytest.raises(IllegalTransition):
        workflow.fail_midterm(project, actor=calls.owner, reason="x")


def test_project_transitions_by_recommender_refused(calls, project):
    with pytest.raises(PermissionDenied):
        workflow.pass_midterm(project, actor=calls.recommender)


def test_call_ledger_totals_against_budget(calls, project):
    _pay(calls, project, 1, "175000", "PZ-001")
    totals = ledger.call_ledger(calls.call)
    assert totals["budget"] == Decimal("1000000.00")
    assert totals["approved"] == Decimal("350000.00")
    assert totals["paid"] == Decimal("175000.00") and totals["held"] == Decimal("175000.00")
    assert totals["unallocated"] == Decimal("650000.00")


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    "name, content",
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>"),  # HTML named .pdf
        ("report.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # an executable named .png
        ("report.pdf", b""),  # empty
        ("report.pdf", b"%PDF-1.7\n1 0 obj<<>>"),  # cut before its end
    ],
)
def test_submit_deliverable_file_checked_by_content(calls, project, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(DomainError) as caught:
        workflow.submit_deliverable(project, actor=calls.applicant, title="试点报告", file=SimpleUploadedFile(name, content))
    assert caught.value.code == "bad_file" and caught.value.field == "file"
    assert not project.deliverables.exists()


def test_submit_deliverable_file_stored_under_the_contents_suffix(calls, project, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    deliverable = workflow.submit_deliverable(project, actor=calls.applicant, title="试点报告", file=SimpleUploadedFile("report.exe", PDF))
    assert deliverable.file.name.endswith(".pdf") and "report" not in deliverable.file.name
    settings.CALLS_MAX_UPLOAD = 10
    with pytest.raises(DomainError) as caught:
        workflow.submit_deliverable(project, actor=calls.applicant, title="大文件", file=SimpleUploadedFile("big.pdf", PDF))
    assert caught.value.code == "bad_file"
