"""The named transitions of a membership: applying, approval steps, documents, transfers, endings,
group members. The legal/illegal matrix is driven by choices.TRANSITIONS."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing import worlds
from kejia.memberships import applications, certificates, dues, member_classes, transitions, workflow
from kejia.memberships.choices import TRANSITIONS, MembershipStatus, Transition
from kejia.memberships.models import GroupRepresentative, Membership, MembershipDocument, MembershipEvent
from kejia.memberships.tests.conftest import make_person, pdf

# conftest's tree built once for the module; each test runs in a savepoint (kejia/core/testing/worlds.py).
_world, db, tree = worlds.shared_tree()

pytestmark = pytest.mark.django_db

S, T = MembershipStatus, Transition


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def new_class(tree, code, *, kind="full", steps=("Check",), **data):
    return member_classes.create_member_class(
        tree.soc, actor=tree.society_secretary, code=code, name=code.title(), kind=kind, approval_steps=list(steps), **data
    )


def apply(tree, member_class, person, *, actor=None, **kw):
    return applications.apply_for_membership(actor=actor or person.user, society=tree.soc, member_class=member_class, person=person, **kw)


def approve_all(membership, actor):
    while membership.status == S.APPLIED:
        membership = transitions.approve_membership(membership, actor=actor)
    return membership


@pytest.fixture
def ctx(tree, society, applicant):
    """A person (the worker's profile) and ways to bring their membership into any state through the services."""
    staff = tree.society_secretary
    c = SimpleNamespace(tree=tree, society=society, person=applicant, staff=staff, member=tree.worker, associate=new_class(tree, "associate"))
    c.apply = lambda: apply(tree, society.classes["full"], applicant)
    c.active = lambda: approve_all(c.apply(), staff)
    return c


BUILD = {
    S.APPLIED: lambda c: c.apply(),
    S.NEEDS_INFO: lambda c: transitions.request_more_information(c.apply(), actor=c.staff, reason="Add your CV"),
    S.ACTIVE: lambda c: c.active(),
    S.LAPSED: lambda c: transitions.lapse_membership(c.active()),
    S.SUSPENDED: lambda c: transitions.suspend_membership(c.active(), actor=c.staff, reason="Under investigation"),
    S.REJECTED: lambda c: transitions.reject_membership(c.apply(), actor=c.staff, reason="Not in the field"),
    S.WITHDRAWN: lambda c: applications.withdraw_application(c.apply(), actor=c.member),
    S.RESIGNED: lambda c: transitions.resign_membership(c.active(), actor=c.member, reason="Moving abroad"),
    S.TERMINATED: lambda c: transitions.terminate_membership(c.active(), actor=c.staff, reason="Breach of the articles"),
}

DO = {
    T.APPROVE_STEP: lambda c, m: transitions.approve_membership(m, actor=c.staff),
    T.APPROVE: lambda c, m: transitions.approve_membership(m, actor=c.staff),
    T.REJECT: lambda c, m: transitions.reject_membership(m, actor=c.staff, reason="No"),
    T.ASK_MORE: lambda c, m: transitions.request_more_information(m, actor=c.staff, reason="CV please"),
    T.SUPPLY: lambda c, m: applications.supply_information(m, actor=c.member, statement="CV attached"),
    T.WITHDRAW: lambda c, m: applications.withdraw_application(m, actor=c.member),
    T.TRANSFER: lambda c, m: transitions.transfer_membership(m, actor=c.staff, member_class=c.associate),
    T.SUSPEND: lambda c, m: transitions.suspend_membership(m, actor=c.staff, reason="Investigation"),
    T.REINSTATE: lambda c, m: transitions.reinstate_membership(m, actor=c.staff),
    T.LAPSE: lambda c, m: transitions.lapse_membership(m),
    T.RENEW: lambda c, m: dues.record_payment(m, actor=c.staff, year=timezone.localdate().year, amount="100"),
    T.RESIGN: lambda c, m: transitions.resign_membership(m, actor=c.member),
    T.TERMINATE: lambda c, m: transitions.terminate_membership(m, actor=c.staff, reason="Breach"),
    T.READMIT: lambda c, m: transitions.readmit_membership(m, actor=c.staff),
}
# Transitions that send the member a notice.
NOTIFYING = {T.APPROVE, T.REJECT, T.ASK_MORE, T.TRANSFER, T.SUSPEND, T.REINSTATE, T.LAPSE, T.RENEW, T.RESIGN, T.TERMINATE, T.READMIT}
LEGAL = [(t, s) for t, (starts, _end) in TRANSITIONS.items() for s in sorted(starts)]


def test_transition_table_is_covered():
    assert set(DO) == set(TRANSITIONS) and set(BUILD) == set(S.values)


def footprint(m: Membership) -> tuple:
    row = Membership.objects.values("status", "step", "number", "reason", "ended_on", "joined_on", "member_class_id").get(pk=m.pk)
    return (
        row,
        MembershipEvent.objects.filter(membership=m).count(),
        AuditEvent.objects.count(),
        Notice.objects.count(),
        m.certificates.filter(revoked_at__isnull=True).count(),
    )


@pytest.mark.parametrize(("transition", "start"), LEGAL, ids=[f"{t}-from-{s}" for t, s in LEGAL])
def test_transition_moves_from_allowed_state(ctx, transition, start):
    m = BUILD[start](ctx)
    if transition == T.APPROVE:  # the full class has two steps: pass the first
        m = transitions.approve_membership(m, actor=ctx.staff)
    audits = AuditEvent.objects.filter(action=f"membership.{transition}", object_id=str(m.pk)).count()
    notices = Notice.objects.filter(user=ctx.member).count()

    DO[transition](ctx, m)

    m.refresh_from_db()
    end = TRANSITIONS[transition][1]
    assert m.status == (end or start)
    event = m.events.order_by("-id").first()
    assert (event.transition, event.from_status, event.to_status) == (transition, start, m.status)
    assert AuditEvent.objects.filter(action=f"membership.{transition}", object_id=str(m.pk)).count() == audits + 1
    assert Notice.objects.filter(user=ctx.member).count() == notices + (transition in NOTIFYING)


# Renewal has no service of its own: a confirmed payment of a lapsed member renews it, a payment
# in another payable state just moves paid_through. So RENEW is not in the refusal matrix.
@pytest.mark.parametrize("status", list(S), ids=list(S.values))
def test_transition_refused_from_other_states(ctx, status):
    m = BUILD[status](ctx)
    illegal = [t for t, (starts, _end) in TRANSITIONS.items() if status not in starts and t != T.RENEW]
    assert illegal
    for transition in illegal:
        before = footprint(m)
        with pytest.raises(IllegalTransition) as exc:
            DO[transition](ctx, m)
        assert exc.value.code == "illegal_transition", transition
        assert footprint(m) == before, transition


# ---- approval steps and numbers -------------------------------------------------------------


@pytest.mark.parametrize("steps", [["Check"], ["Check", "Committee"], ["Check", "Committee", "Council"]], ids=["1", "2", "3"])
def test_approve_membership_numbers_only_at_last_step(tree, society, applicant, steps):
    cls = new_class(tree, "stepped", steps=steps)
    m = apply(tree, cls, applicant)
    for i, name in enumerate(steps):
        m = transitions.approve_membership(m, actor=tree.society_secretary)
        last = i == len(steps) - 1
        event = m.events.order_by("-id").first()
        assert (event.transition, event.step_name) == (T.APPROVE if last else T.APPROVE_STEP, name)
        assert m.status == (S.ACTIVE if last else S.APPLIED)
        assert bool(m.number) == last
        assert m.step == (i if last else i + 1)
    assert m.number == f"SOC-{timezone.localdate().year:04}-00001"
    assert m.joined_on == timezone.localdate()


def test_approve_membership_follows_society_number_format(tree, society, applicant):
    member_classes.update_membership_rules(tree.soc, actor=tree.society_secretary, number_format="{code}/{class}{year}/{seq:03}")
    cls = new_class(tree, "fast")
    other = make_person(tree, name="王芳", user=tree.county_staff)
    numbers = [approve_all(apply(tree, cls, p), tree.society_secretary).number for p in (applicant, other)]
    year = timezone.localdate().year
    assert numbers == [f"SOC/FAST{year}/001", f"SOC/FAST{year}/002"]


def test_approve_membership_skips_number_taken_by_import(tree, society, applicant):
    year = timezone.localdate().year
    cls = new_class(tree, "fast")
    for i, name in ((1, "赵一"), (3, "赵三")):
        Membership.objects.create(
            society=tree.soc, person=make_person(tree, name=name), member_class=cls, status=S.ACTIVE, number=f"SOC-{year}-{i:05}", imported=True
        )
    first = approve_all(apply(tree, cls, applicant), tree.society_secretary)
    second = approve_all(apply(tree, cls, make_person(tree, name="王芳", user=tree.county_staff)), tree.society_secretary)
    assert (first.number, second.number) == (f"SOC-{year}-00002", f"SOC-{year}-00004")
    assert workflow.rules_of(tree.soc).next_seq == 5


# ---- eligibility ------------------------------------------------------------------------------


def test_apply_for_membership_refuses_title_below_minimum(tree, society):
    person = make_person(tree, user=tree.worker, title_level="junior")
    with pytest.raises(ValidationFailed) as exc:
        apply(tree, society.classes["full"], person)
    assert "member_class" in exc.value.errors
    assert not Membership.objects.exists()


def test_apply_for_membership_refuses_too_few_years(tree, society):
    person = make_person(tree, user=tree.worker, title_level="senior")
    with pytest.raises(ValidationFailed) as exc:
        apply(tree, society.classes["senior"], person, years_in_field=10, documents=[(society.classes["senior"].required_documents[0], pdf())])
    assert list(exc.value.errors) == ["years_in_field"]


def test_apply_for_membership_refuses_student_class_to_non_student(tree, society, applicant):
    with pytest.raises(ValidationFailed) as exc:
        apply(tree, society.classes["student"], applicant, is_student=False, documents=[(society.classes["student"].required_documents[0], pdf())])
    assert list(exc.value.errors) == ["is_student"]


def test_apply_for_membership_refuses_closed_class(tree, society, applicant):
    closed = member_classes.update_member_class(society.classes["full"], actor=tree.society_secretary, is_open=False)
    with pytest.raises(DomainError) as exc:
        apply(tree, closed, applicant)
    assert exc.value.code == "class_closed"


def test_apply_for_membership_refuses_group_class_for_person(tree, society, applicant):
    with pytest.raises(DomainError) as exc:
        apply(tree, new_class(tree, "units", kind="group"), applicant)
    assert (exc.value.code, exc.value.field) == ("wrong_class", "member_class")


def other_society(tree):
    from kejia.organizations.services import create_organization

    org = create_organization(
        actor=tree.platform, parent=tree.nj, name="南京市化学化工学会", code="NJ-CHEM", kind="municipal_society", region=tree.regions["320100"]
    )
    return org, {c.code: c for c in member_classes.create_default_classes(org, actor=tree.platform)}


def test_apply_for_membership_refuses_class_of_other_society(tree, society, applicant):
    _org, classes = other_society(tree)
    with pytest.raises(DomainError) as exc:
        apply(tree, classes["full"], applicant)
    assert exc.value.code == "wrong_class"


def test_apply_for_membership_refuses_second_application(tree, society, applicant):
    apply(tree, society.classes["full"], applicant)
    with pytest.raises(DomainError) as exc:
        apply(tree, new_class(tree, "fast"), applicant)
    assert exc.value.code == "already_member"
    assert Membership.objects.count() == 1


def test_apply_for_membership_refuses_someone_else_without_staff_role(tree, society, applicant):
    for outsider in (tree.county_staff, tree.sibling_staff):
        with pytest.raises(PermissionDenied):
            apply(tree, society.classes["full"], applicant, actor=outsider)
    assert not Membership.objects.exists()


def test_apply_for_membership_refuses_anonymous_for_person_without_account(tree, society):
    person = make_person(tree, name="无账号")  # no user: person.user_id is None, as is an anonymous actor's pk
    for actor in (AnonymousUser(), None):
        with pytest.raises(PermissionDenied):
            apply(tree, society.classes["full"], person, actor=actor)
    assert not Membership.objects.exists()


def test_apply_for_membership_by_staff_on_behalf_of_person(tree, society, applicant):
    m = apply(tree, society.classes["full"], applicant, actor=tree.society_secretary)
    assert m.status == S.APPLIED and m.person == applicant
    assert m.events.get().actor == tree.society_secretary
    audit = AuditEvent.objects.get(action="membership.apply")
    assert audit.actor == tree.society_secretary and audit.new["person"] == applicant.pk
    assert Notice.objects.filter(user=tree.worker).count() == 1


def test_approve_membership_refuses_own_application(tree, society):
    me = make_person(tree, name="秘书", user=tree.society_secretary)
    m = apply(tree, society.classes["full"], me)
    for decide in (
        lambda: transitions.approve_membership(m, actor=tree.society_secretary),
        lambda: transitions.reject_membership(m, actor=tree.society_secretary, reason="no"),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    m.refresh_from_db()
    assert (m.status, m.step) == (S.APPLIED, 0)
    assert approve_all(m, tree.province_staff).status == S.ACTIVE  # someone else may


# ---- documents --------------------------------------------------------------------------------


def test_apply_for_membership_missing_document_writes_nothing(tree, society, applicant, media):
    cls = new_class(tree, "docs", required_documents=["CV", "Diploma"])
    with pytest.raises(DomainError) as exc:
        apply(tree, cls, applicant, documents=[("CV", pdf())])
    assert (exc.value.code, exc.value.field) == ("documents_missing", "documents")
    assert "Diploma" in str(exc.value.message)
    assert not Membership.objects.exists() and not MembershipDocument.objects.exists()
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(action="membership.apply").exists()


def test_apply_for_membership_stores_required_documents(tree, society, applicant, media):
    cls = new_class(tree, "docs", required_documents=["CV"])
    m = apply(tree, cls, applicant, documents=[("CV", pdf("我的简历.PDF"))])
    doc = m.documents.get()
    assert (doc.name, doc.original_name, doc.uploaded_by) == ("CV", "我的简历.PDF", tree.worker)
    assert len(stored_files(media)) == 1


def test_apply_for_membership_refuses_wrong_file_type(tree, society, applicant, media):
    cls = new_class(tree, "docs", required_documents=["CV", "Diploma"])
    for upload in (SimpleUploadedFile("cv.exe", b"MZ"), SimpleUploadedFile("cv", b"%PDF"), SimpleUploadedFile("cv.pdf.html", b"<p>")):
        with pytest.raises(DomainError) as exc:
            apply(tree, cls, applicant, documents=[("CV", pdf()), ("Diploma", upload)])
        assert (exc.value.code, exc.value.field) == ("bad_document", "documents")
    assert not Membership.objects.exists() and stored_files(media) == []


def test_apply_for_membership_checks_documents_by_content_not_name(tree, society, applicant, media):
    cls = new_class(tree, "docs", required_documents=["CV"])
    disguised = (
        SimpleUploadedFile("cv.pdf", b"<html><script>alert(1)</script></html>"),  # HTML as .pdf
        SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 200),  # an executable as .png
        SimpleUploadedFile("empty.pdf", b""),  # an empty .pdf
        SimpleUploadedFile("cut.pdf", b"%PDF-1.7\n" + b"0" * 5000),
    )  # a PDF without its end
    for upload in disguised:
        with pytest.raises(DomainError) as exc:
            apply(tree, cls, applicant, documents=[("CV", upload)])
        assert (exc.value.code, exc.value.field) == ("bad_document", "documents") and upload.name in str(exc.value.message)
    assert not Membership.objects.exists() and stored_files(media) == []
    png = SimpleUploadedFile("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)  # a real PNG under a wrong name
    m = apply(tree, cls, applicant, documents=[("CV", png)])
    assert m.documents.get().file.name.endswith(".png")


def test_apply_for_membership_refuses_too_large_file(tree, society, applicant, media, settings):
    settings.MEMBERSHIP_MAX_UPLOAD = 50
    cls = new_class(tree, "docs", required_documents=["CV"])
    with pytest.raises(DomainError) as exc:
        apply(tree, cls, applicant, documents=[("CV", pdf(size=100))])
    assert exc.value.code == "bad_document"
    assert not Membership.objects.exists() and stored_files(media) == []


def test_supply_information_with_missing_document_returns_to_same_step(tree, society, applicant, media):
    staff = tree.society_secretary
    cls = new_class(tree, "docs", steps=["Check", "Committee"], required_documents=["CV"])
    m = transitions.approve_membership(apply(tree, cls, applicant, documents=[("CV", pdf())]), actor=staff)
    member_classes.update_member_class(cls, actor=staff, required_documents=["CV", "Diploma"])
    m = transitions.request_more_information(m, actor=staff, reason="Upload your diploma")

    with pytest.raises(DomainError) as exc:
        applications.supply_information(m, actor=tree.worker, statement="here", documents=[("CV", pdf())])
    assert exc.value.code == "documents_missing"
    m.refresh_from_db()
    assert m.status == S.NEEDS_INFO and m.documents.count() == 1 and len(stored_files(media)) == 1

    m = applications.supply_information(m, actor=tree.worker, statement="Diploma attached", documents=[("Diploma", pdf())])
    m.refresh_from_db()
    assert (m.status, m.step) == (S.APPLIED, 1)
    assert "Diploma attached" in m.statement
    assert sorted(m.documents.values_list("name", flat=True)) == ["CV", "Diploma"]
    assert approve_all(m, staff).number


def test_supply_information_only_by_applicant(ctx):
    m = BUILD[S.NEEDS_INFO](ctx)
    with pytest.raises(PermissionDenied):
        applications.supply_information(m, actor=ctx.staff, statement="x")


# ---- transfer -----------------------------------------------------------------------------------


@pytest.fixture
def student_member(tree, society, applicant):
    m = apply(tree, society.classes["student"], applicant, is_student=True, documents=[(society.classes["student"].required_documents[0], pdf())])
    return approve_all(m, tree.society_secretary)


def test_transfer_membership_student_to_full_on_graduation(tree, society, student_member):
    cert = certificates.current_certificate(student_member)
    number = student_member.number
    m = transitions.transfer_membership(student_member, actor=tree.society_secretary, member_class=society.classes["full"])
    m.refresh_from_db()
    cert.refresh_from_db()
    assert (m.status, m.number, m.member_class, m.is_student) == (S.ACTIVE, number, society.classes["full"], False)
    assert cert.revoked_at is not None
    assert m.events.order_by("-id").first().transition == T.TRANSFER
    audit = AuditEvent.objects.get(action="membership.transfer")
    assert audit.new["class"] == society.classes["full"].pk and audit.new["number"] == number
    assert certificates.current_certificate(m).pk != cert.pk


def test_transfer_membership_checks_title_of_new_class(tree, society):
    person = make_person(tree, user=tree.worker, title_level="junior")
    m = approve_all(
        apply(tree, society.classes["student"], person, is_student=True, documents=[(society.classes["student"].required_documents[0], pdf())]),
        tree.society_secretary,
    )
    with pytest.raises(ValidationFailed) as exc:
        transitions.transfer_membership(m, actor=tree.society_secretary, member_class=society.classes["full"])
    assert "member_class" in exc.value.errors
    m.refresh_from_db()
    assert m.member_class == society.classes["student"]


def test_transfer_membership_checks_years_of_new_class(tree, society):
    person = make_person(tree, user=tree.worker, title_level="senior")
    cls = new_class(tree, "fast")
    m = approve_all(apply(tree, cls, person, years_in_field=3), tree.society_secretary)
    with pytest.raises(ValidationFailed) as exc:  # senior: at least 15 years
        transitions.transfer_membership(m, actor=tree.society_secretary, member_class=society.classes["senior"])
    assert "years_in_field" in exc.value.errors


def test_transfer_membership_refuses_other_society_or_group_class(tree, society, student_member):
    _org, classes = other_society(tree)
    for target in (classes["full"], new_class(tree, "units", kind="group")):
        with pytest.raises(DomainError) as exc:
            transitions.transfer_membership(student_member, actor=tree.society_secretary, member_class=target)
        assert exc.value.code == "wrong_class"
    with pytest.raises(DomainError) as exc:
        transitions.transfer_membership(student_member, actor=tree.society_secretary, member_class=society.classes["student"])
    assert exc.value.code == "same_class"


def test_transfer_membership_only_by_staff(tree, society, student_member):
    with pytest.raises(PermissionDenied):
        transitions.transfer_membership(student_member, actor=tree.worker, member_class=society.classes["full"])


# ---- suspend, reinstate, end, readmit ----------------------------------------------------------


def test_suspend_membership_revokes_certificate_and_reinstate_restores(ctx):
    m = ctx.active()
    cert = certificates.current_certificate(m)
    m = transitions.suspend_membership(m, actor=ctx.staff, reason="  Fraud report  ")
    cert.refresh_from_db()
    assert (m.status, m.reason) == (S.SUSPENDED, "Fraud report") and cert.revoked_at is not None
    assert certificates.current_certificate(m) is None
    notice = Notice.objects.filter(user=ctx.member).first()
    assert "Fraud report" in notice.body and notice.kind == "membership"
    m = transitions.reinstate_membership(m, actor=ctx.staff, note="Cleared")
    assert (m.status, m.reason) == (S.ACTIVE, "")
    assert AuditEvent.objects.filter(action="membership.reinstate", actor=ctx.staff).exists()


def test_terminate_membership_ends_and_keeps_number(ctx):
    m = ctx.active()
    number = m.number
    m = transitions.terminate_membership(m, actor=ctx.staff, reason="Breach")
    m.refresh_from_db()
    assert (m.status, m.number, m.ended_on, m.reason) == (S.TERMINATED, number, timezone.localdate(), "Breach")


def test_resign_membership_only_by_member(ctx):
    m = ctx.active()
    for actor in (ctx.staff, ctx.tree.province_staff):
        with pytest.raises(PermissionDenied):
            transitions.resign_membership(m, actor=actor)
    m = transitions.resign_membership(m, actor=ctx.member, reason="Retired")
    assert (m.status, m.ended_on) == (S.RESIGNED, timezone.localdate())


def test_readmit_membership_keeps_number(ctx):
    m = ctx.active()
    number, joined = m.number, m.joined_on
    transitions.resign_membership(m, actor=ctx.member)
    m = transitions.readmit_membership(m, actor=ctx.staff, note="Welcome back")
    m.refresh_from_db()
    assert (m.status, m.number, m.joined_on, m.ended_on) == (S.ACTIVE, number, joined, None)
    assert workflow.rules_of(ctx.tree.soc).next_seq == 2  # no new number drawn


def test_readmit_membership_refused_when_another_live_membership(ctx):
    old = transitions.resign_membership(ctx.active(), actor=ctx.member)
    ctx.apply()
    with pytest.raises(DomainError) as exc:
        transitions.readmit_membership(old, actor=ctx.staff)
    assert exc.value.code == "already_member"
    old.refresh_from_db()
    assert old.status == S.RESIGNED


def test_readmit_membership_only_by_staff(ctx):
    m = transitions.resign_membership(ctx.active(), actor=ctx.member)
    with pytest.raises(PermissionDenied):
        transitions.readmit_membership(m, actor=ctx.member)


def test_lapse_membership_by_system(ctx):
    m = ctx.active()
    cert = certificates.current_certificate(m)
    m = transitions.lapse_membership(m)
    cert.refresh_from_db()
    assert m.status == S.LAPSED and cert.revoked_at is not None
    event = m.events.order_by("-id").first()
    assert (event.transition, event.actor) == (T.LAPSE, None)
    assert AuditEvent.objects.filter(action="membership.lapse", actor=None).exists()
    assert Notice.objects.filter(user=ctx.member, subject__endswith="会籍已失效").exists()


REASONED = {
    T.REJECT: transitions.reject_membership,
    T.ASK_MORE: transitions.request_more_information,
    T.SUSPEND: transitions.suspend_membership,
    T.TERMINATE: transitions.terminate_membership,
}


def test_transition_requires_reason(ctx):
    m = ctx.apply()
    for transition, call in REASONED.items():
        if transition == T.SUSPEND:
            m = approve_all(m, ctx.staff)
        before = footprint(m)
        for reason in ("", "   ", None):
            with pytest.raises(DomainError) as exc:
                call(m, actor=ctx.staff, reason=reason)
            assert (exc.value.code, exc.value.field) == ("reason_required", "reason"), transition
        assert footprint(m) == before, transition


def test_transition_refused_to_outside_staff(ctx):
    """County staff, sibling staff and the member themselves may not decide: one membership walked
    through the states, each staff transition tried by each outsider at its start state."""
    staff, outsiders = ctx.staff, (ctx.tree.county_staff, ctx.tree.sibling_staff, ctx.member)
    walk = [
        (lambda m: m, (T.APPROVE, T.REJECT, T.ASK_MORE)),
        (lambda m: approve_all(m, staff), (T.SUSPEND, T.TERMINATE, T.TRANSFER)),
        (lambda m: transitions.suspend_membership(m, actor=staff, reason="x"), (T.REINSTATE,)),
        (lambda m: transitions.resign_membership(m, actor=ctx.member), (T.READMIT,)),
    ]
    m = ctx.apply()
    for bring, tried in walk:
        m = bring(m)
        for transition in tried:
            before = footprint(m)
            for outsider in outsiders:
                ctx.staff = outsider
                with pytest.raises(PermissionDenied):
                    DO[transition](ctx, m)
            ctx.staff = staff
            assert footprint(m) == before, transition


# ---- group members ----------------------------------------------------------------------------


@pytest.fixture
def group(tree, society):
    from kejia.accounts.services import create_user

    user = create_user(actor=tree.platform, username="unit_contact", password=tree.password, display_name="联系人", check_password=False)
    contact = make_person(tree, name="联系人", user=user)
    return SimpleNamespace(cls=new_class(tree, "units", kind="group", steps=["Check"]), contact=contact, user=user, unit=tree.host)


def apply_group(tree, group, *, actor=None, **kw):
    return applications.apply_for_group_membership(
        actor=actor or group.user, society=tree.soc, member_class=group.cls, unit=group.unit, contact_person=group.contact, **kw
    )


def test_apply_for_group_membership_by_contact_person(tree, group):
    rep = make_person(tree, name="代表")
    m = apply_group(tree, group, statement="We build chips", representatives=[rep])
    assert (m.status, m.unit, m.person, m.contact_person) == (S.APPLIED, tree.host, None, group.contact)
    assert list(m.representatives.values_list("person", flat=True)) == [rep.pk]
    assert AuditEvent.objects.filter(action="membership.apply", new__unit=tree.host.pk).exists()
    assert Notice.objects.filter(user=group.user).count() == 1
    m = approve_all(m, tree.society_secretary)
    assert m.status == S.ACTIVE and m.number
    transitions.terminate_membership(m, actor=tree.society_secretary, reason="Closed down")
    assert apply_group(tree, group, actor=tree.society_secretary).status == S.APPLIED  # staff may apply for a unit


def test_apply_for_group_membership_refuses_outsider(tree, group):
    for actor in (tree.county_staff, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            apply_group(tree, group, actor=actor)
    assert not Membership.objects.exists()


def test_apply_for_group_membership_refuses_person_class(tree, society, group):
    group.cls = society.classes["full"]
    with pytest.raises(DomainError) as exc:
        apply_group(tree, group)
    assert exc.value.code == "wrong_class"


def test_apply_for_group_membership_one_live_per_unit(tree, group):
    apply_group(tree, group)
    with pytest.raises(DomainError) as exc:
        apply_group(tree, group, actor=tree.society_secretary)
    assert exc.value.code == "already_member"
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(society=tree.soc, unit=group.unit, member_class=group.cls, status=S.ACTIVE)


def test_readmit_membership_of_unit_refused_when_another_live_membership(tree, group):
    old = approve_all(apply_group(tree, group), tree.society_secretary)
    transitions.terminate_membership(old, actor=tree.society_secretary, reason="Closed down")
    apply_group(tree, group)
    with pytest.raises(DomainError) as exc:
        transitions.readmit_membership(old, actor=tree.society_secretary)
    assert exc.value.code == "already_member"


def test_membership_is_either_person_or_unit(tree, society, applicant):
    cls = society.classes["full"]
    for kwargs in ({"person": applicant, "unit": tree.host}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(society=tree.soc, member_class=cls, **kwargs)


def test_add_representative_and_remove(tree, group):
    m = apply_group(tree, group)
    person = make_person(tree, name="代表")
    rep = applications.add_representative(m, actor=group.user, person=person, role="Chief engineer")
    assert applications.add_representative(m, actor=tree.society_secretary, person=person).pk == rep.pk  # no duplicate
    assert AuditEvent.objects.filter(action="membership.representative_added").count() == 1
    with pytest.raises(PermissionDenied):
        applications.remove_representative(rep, actor=tree.county_staff)
    applications.remove_representative(rep, actor=tree.society_secretary)
    assert not GroupRepresentative.objects.exists()
    assert AuditEvent.objects.get(action="membership.representative_removed").old == {"person": person.pk}


def test_add_representative_refused_for_person_membership_or_outsider(tree, group, ctx):
    with pytest.raises(DomainError) as exc:
        applications.add_representative(ctx.apply(), actor=tree.society_secretary, person=group.contact)
    assert exc.value.code == "not_a_group"
    m = apply_group(tree, group)
    with pytest.raises(PermissionDenied):
        applications.add_representative(m, actor=tree.sibling_staff, person=group.contact)


def test_readmit_membership_survives_next_dues_cycle(ctx):
    m = ctx.active()
    Membership.objects.filter(pk=m.pk).update(joined_on=timezone.localdate() - datetime.timedelta(days=200))
    assert dues.run_dues_cycle()["lapsed"] == 1
    transitions.readmit_membership(m, actor=ctx.staff, note="Agreed with the council")
    dues.run_dues_cycle()
    m.refresh_from_db()
    assert m.status == S.ACTIVE
