"""The membership pages through the test client: who sees which page, the application with its
uploads, the queue, every staff action, dues paid online or recorded, classes and rules with their
history. Bad input is a 400 with the message next to the field, never a 500."""

import datetime

import pytest
from django.urls import reverse

from kejia.core.testing import worlds
from kejia.memberships import applications, dues, member_classes, transitions, workflow
from kejia.memberships.choices import MembershipStatus, PaymentStatus
from kejia.memberships.models import GroupRepresentative, MemberClass, Membership, MembershipDocument
from kejia.memberships.tests.conftest import make_person, pdf

# conftest's tree built once for the module; each test runs in a savepoint (kejia/core/testing/worlds.py).
_world, db, tree = worlds.shared_tree()

pytestmark = pytest.mark.django_db
S = MembershipStatus


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in their English msgids (zh-hans is the default language)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    return tmp_path


def url(name, *args):
    return reverse(f"memberships:{name}", args=args)


def act(pk, action):
    return reverse("memberships:act", args=[pk, action])


def applied(tree, society, applicant, code="full", **kw):
    return applications.apply_for_membership(actor=tree.worker, society=tree.soc, member_class=society.classes[code], person=applicant, **kw)


def active(tree, society, applicant, code="full", **kw):
    m = applied(tree, society, applicant, code, **kw)
    while m.status == S.APPLIED:
        m = transitions.approve_membership(m, actor=tree.society_secretary)
    return m


def text(response) -> str:
    return response.content.decode()


# ---- Public pages ----------------------------------------------------------------------------


def test_society_list_and_page_are_public(client, tree, society):
    response = client.get(url("societies"), {"q": "计算机"})
    assert response.status_code == 200 and "江苏省计算机学会" in text(response)
    assert "江苏省计算机学会" not in text(client.get(url("societies"), {"q": "物理"}))
    html = text(client.get(url("society", tree.soc.pk)))
    assert "Full member" in html and "100.00" in html and "Student card" in html and "Membership committee" in html
    assert "Log in to apply" in html


def test_society_page_of_a_non_society_is_404(client, tree):
    assert client.get(url("society", tree.xw.pk)).status_code == 404


def test_home_redirects_staff_to_queue_and_worker_to_mine(client, tree, society):
    client.force_login(tree.society_secretary)
    assert client.get(url("home"))["Location"] == url("queue")
    client.force_login(tree.worker)
    assert client.get(url("home"))["Location"] == url("mine")


def test_pages_need_login(client, tree, society):
    for name, args in [("mine", []), ("queue", []), ("payments", []), ("apply", [tree.soc.pk]), ("members", [tree.soc.pk])]:
        response = client.get(url(name, *args))
        assert response.status_code == 302 and "login" in response["Location"]


# ---- Applying --------------------------------------------------------------------------------


def test_apply_without_profile_links_to_people_me(client, tree, society):
    client.force_login(tree.worker)
    html = text(client.get(url("apply", tree.soc.pk)))
    assert reverse("people:me") in html and '<form class="card" method="post"' not in html


def test_apply_with_upload_creates_application(client, tree, society, applicant, media):
    client.force_login(tree.worker)
    student = society.classes["student"]
    response = client.get(url("apply", tree.soc.pk), {"member_class": student.pk})
    assert response.status_code == 200 and "Student card" in text(response)
    response = client.post(
        url("apply", tree.soc.pk), {"member_class": student.pk, "statement": "在读博士", "is_student": "on", "years_in_field": "2", "doc_0": pdf("card.pdf")}
    )
    m = Membership.objects.get(person=applicant)
    assert response.status_code == 302 and response["Location"] == url("detail", m.pk)
    assert m.status == S.APPLIED and m.member_class == student and m.is_student
    doc = m.documents.get()
    assert doc.name == "Student card" and doc.original_name == "card.pdf"
    assert client.get(url("document", m.pk, doc.pk)).status_code == 200
    html = text(client.get(url("detail", m.pk)))
    assert "Student card" in html and "Secretariat check" in html and "Withdraw the application" in html


def test_apply_missing_document_is_400_and_writes_nothing(client, tree, society, applicant, media):
    client.force_login(tree.worker)
    response = client.post(url("apply", tree.soc.pk), {"member_class": society.classes["student"].pk, "is_student": "on"})
    assert response.status_code == 400 and "Upload these documents: Student card" in text(response)
    assert not Membership.objects.exists() and not MembershipDocument.objects.exists()
    assert not any(media.rglob("*.*"))


def test_apply_bad_upload_type_is_400(client, tree, society, applicant, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(tree.worker)
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(url("apply", tree.soc.pk), {"member_class": society.classes["student"].pk, "is_student": "on", "doc_0": exe})
    assert response.status_code == 400 and "is not a PDF, JPG, PNG file" in text(response)
    assert not Membership.objects.exists()


def test_apply_ineligible_shows_field_error(client, tree, society, applicant):
    client.force_login(tree.worker)
    response = client.post(url("apply", tree.soc.pk), {"member_class": society.classes["senior"].pk, "years_in_field": "3"})
    assert response.status_code == 400 and "at least 15 years in the field" in text(response)
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"member_class": "999999"}, {"member_class": "abc"}, {"member_class": "", "years_in_field": "x"}, {"statement": "长" * 6000}, {"years_in_field": "-3"}],
)
def test_apply_bad_input_is_400_not_500(client, tree, society, applicant, data):
    client.force_login(tree.worker)
    post = {"member_class": society.classes["full"].pk, **data}
    response = client.post(url("apply", tree.soc.pk), post)
    assert response.status_code == 400
    assert not Membership.objects.exists()


def test_apply_twice_is_400(client, tree, society, applicant):
    applied(tree, society, applicant)
    client.force_login(tree.worker)
    response = client.post(url("apply", tree.soc.pk), {"member_class": society.classes["full"].pk})
    assert response.status_code == 400 and "already an application" in text(response)


def test_apply_group_picks_unit_by_uscc(client, tree, society, applicant):
    group = member_classes.create_member_class(tree.soc, actor=tree.society_secretary, code="unit", name="Unit member", kind="group", annual_dues="1000")
    client.force_login(tree.worker)
    response = client.post(url("apply_group", tree.soc.pk), {"member_class": group.pk, "uscc": "91000000000000000X"})
    assert response.status_code == 400 and "No unit with this code" in text(response)
    response = client.post(url("apply_group", tree.soc.pk), {"member_class": group.pk, "uscc": tree.host.uscc.lower(), "statement": "加入"})
    m = Membership.objects.get(unit=tree.host)
    assert response.status_code == 302 and m.contact_person == applicant and m.status == S.APPLIED
    assert "紫金科技有限公司" in text(client.get(url("mine")))


# ---- The member's pages ----------------------------------------------------------------------


def test_mine_lists_memberships_with_arrears_and_card(client, tree, society, applicant):
    m = active(tree, society, applicant)
    client.force_login(tree.worker)
    html = text(client.get(url("mine")))
    assert m.number in html and "100.00 yuan" in html and url("card", m.pk) in html and "Pay dues for" in html


def test_detail_own_and_scope(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    client.force_login(tree.worker)
    assert client.get(url("detail", m.pk)).status_code == 200
    client.force_login(tree.sibling_staff)
    assert client.get(url("detail", m.pk)).status_code == 404
    client.force_login(tree.society_secretary)
    html = text(client.get(url("detail", m.pk)))
    assert "Approve this step" in html and "李明" in html


def test_withdraw_by_member(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    client.force_login(tree.worker)
    response = client.post(act(m.pk, "withdraw"))
    m.refresh_from_db()
    assert response.status_code == 302 and m.status == S.WITHDRAWN


def test_supply_information_with_file(client, tree, society, applicant, media):
    m = transitions.request_more_information(applied(tree, society, applicant), actor=tree.society_secretary, reason="请补充职称证书")
    client.force_login(tree.worker)
    assert "请补充职称证书" in text(client.get(url("detail", m.pk)))
    response = client.post(act(m.pk, "supply"), {"supply-statement": "已补充", "supply-other": pdf("title.pdf")})
    m.refresh_from_db()
    assert response.status_code == 302 and m.status == S.APPLIED and m.documents.count() == 1


def test_resign_by_member(client, tree, society, applicant):
    m = active(tree, society, applicant)
    client.force_login(tree.worker)
    client.post(act(m.pk, "resign"), {"resign-reason": "退休"})
    m.refresh_from_db()
    assert m.status == S.RESIGNED


# ---- The queue -------------------------------------------------------------------------------


def test_queue_shows_step_and_approves_twice(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    client.force_login(tree.society_secretary)
    html = text(client.get(url("queue")))
    assert "李明" in html and "Secretariat check" in html
    response = client.post(act(m.pk, "approve"), {"back": "queue"})
    assert response["Location"] == url("queue")
    assert "Membership committee" in text(client.get(url("queue"), {"society": tree.soc.pk}))
    client.post(act(m.pk, "approve"), {"back": "queue"})
    m.refresh_from_db()
    assert m.status == S.ACTIVE and m.number
    assert f'id="application-{m.pk}"' not in text(client.get(url("queue")))


def test_queue_reject_needs_reason(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    client.force_login(tree.society_secretary)
    response = client.post(act(m.pk, "reject"), {"back": "queue", "reject-reason": ""})
    assert response.status_code == 400 and "This field is required" in text(response)
    response = client.post(act(m.pk, "reject"), {"back": "queue", "reject-reason": "不符合条件"})
    m.refresh_from_db()
    assert response.status_code == 302 and m.status == S.REJECTED and m.reason == "不符合条件"


def test_queue_ask_more(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    client.force_login(tree.society_secretary)
    client.post(act(m.pk, "ask-more"), {"back": "queue", "ask_more-reason": "请上传学位证"})
    m.refresh_from_db()
    assert m.status == S.NEEDS_INFO
    assert "More information asked" in text(client.get(url("queue")))


def test_queue_forbidden_to_worker_and_filters_bad_society(client, tree, society):
    client.force_login(tree.worker)
    assert client.get(url("queue")).status_code == 403
    client.force_login(tree.society_secretary)
    assert client.get(url("queue"), {"society": "abc"}).status_code == 400
    assert client.get(url("queue"), {"society": tree.qh.pk}).status_code == 400


def test_worker_cannot_approve_own_or_others(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    client.force_login(tree.worker)
    assert client.post(act(m.pk, "approve")).status_code == 403
    other = applications.apply_for_membership(
        actor=tree.society_secretary, society=tree.soc, member_class=society.classes["full"], person=make_person(tree, name="王芳")
    )
    assert client.post(act(other.pk, "approve")).status_code == 404
    m.refresh_from_db()
    assert m.step == 0 and m.status == S.APPLIED


def test_staff_cannot_decide_own_application(client, tree, society):
    person = make_person(tree, name="赵秘书", user=tree.society_secretary)
    m = applications.apply_for_membership(actor=tree.society_secretary, society=tree.soc, member_class=society.classes["full"], person=person)
    client.force_login(tree.society_secretary)
    assert "Your own application" in text(client.get(url("queue")))
    assert client.post(act(m.pk, "approve")).status_code == 403


def test_sibling_staff_get_404_on_society_pages(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    item = society.classes["full"]
    client.force_login(tree.sibling_staff)
    for path in [url("members", tree.soc.pk), url("classes", tree.soc.pk), url("rules", tree.soc.pk), url("class_edit", item.pk), url("detail", m.pk)]:
        assert client.get(path).status_code == 404, path
    assert client.post(act(m.pk, "reject"), {"reject-reason": "x"}).status_code == 404
    assert client.get(url("queue")).status_code == 403


def test_unknown_action_is_404(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    client.force_login(tree.society_secretary)
    assert client.post(act(m.pk, "explode")).status_code == 404
    assert client.get(act(m.pk, "approve")).status_code == 405


# ---- Staff actions on the detail page --------------------------------------------------------


def test_transfer_suspend_reinstate_terminate_readmit(client, tree, society, applicant):
    m = active(tree, society, applicant, years_in_field=20)
    client.force_login(tree.society_secretary)
    senior = society.classes["senior"]
    response = client.post(act(m.pk, "transfer"), {"transfer-member_class": senior.pk})
    assert response.status_code == 400 and "professional title" in text(response)
    response = client.post(act(m.pk, "transfer"), {"transfer-member_class": "424242"})
    assert response.status_code == 400
    applicant.title_level = "senior"
    applicant.save(update_fields=["title_level"])
    response = client.post(act(m.pk, "transfer"), {"transfer-member_class": senior.pk, "transfer-note": "晋升"})
    m.refresh_from_db()
    assert response.status_code == 302 and m.member_class == senior
    client.post(act(m.pk, "suspend"), {"suspend-reason": "违反章程"})
    m.refresh_from_db()
    assert m.status == S.SUSPENDED
    client.post(act(m.pk, "reinstate"), {"reinstate-note": ""})
    m.refresh_from_db()
    assert m.status == S.ACTIVE
    client.post(act(m.pk, "terminate"), {"terminate-reason": "严重违纪"})
    m.refresh_from_db()
    assert m.status == S.TERMINATED
    number = m.number
    client.post(act(m.pk, "readmit"), {"readmit-note": "复会"})
    m.refresh_from_db()
    assert m.status == S.ACTIVE and m.number == number
    html = text(client.get(url("detail", m.pk)))
    for label in ("Class changed", "Suspended", "Reinstated", "Terminated", "Readmitted"):
        assert label in html


def test_illegal_transition_is_409_not_500(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    client.force_login(tree.society_secretary)
    response = client.post(act(m.pk, "suspend"), {"suspend-reason": "x"})
    assert response.status_code == 409 and "cannot be" in text(response)


def test_huge_reason_is_400(client, tree, society, applicant):
    m = applied(tree, society, applicant)
    client.force_login(tree.society_secretary)
    response = client.post(act(m.pk, "reject"), {"reject-reason": "很" * 2000})
    m.refresh_from_db()
    assert response.status_code == 400 and m.status == S.APPLIED


def test_record_payment_defaults_and_errors(client, tree, society, applicant):
    m = active(tree, society, applicant)
    client.force_login(tree.society_secretary)
    html = text(client.get(url("detail", m.pk)))
    year = dues.next_year_due(m)
    assert f'value="{year}"' in html and 'value="100.00"' in html
    response = client.post(
        act(m.pk, "record-payment"),
        {"record_payment-year": "abc", "record_payment-amount": "100", "record_payment-paid_on": "2026-01-05", "record_payment-method": "cash"},
    )
    assert response.status_code == 400
    response = client.post(
        act(m.pk, "record-payment"),
        {
            "record_payment-year": str(year + 1),
            "record_payment-amount": "100",
            "record_payment-paid_on": datetime.date.today().isoformat(),
            "record_payment-method": "cash",
        },
    )
    assert response.status_code == 400 and f"the next year to pay is {year}" in text(response)
    response = client.post(
        act(m.pk, "record-payment"),
        {
            "record_payment-year": str(year),
            "record_payment-amount": "100",
            "record_payment-paid_on": datetime.date.today().isoformat(),
            "record_payment-method": "cash",
            "record_payment-receipt_no": "R-1",
        },
    )
    m.refresh_from_db()
    assert response.status_code == 302 and m.paid_through == datetime.date(year, 12, 31)
    assert "R-1" in text(client.get(url("detail", m.pk)))


def test_worker_cannot_record_payment(client, tree, society, applicant):
    m = active(tree, society, applicant)
    client.force_login(tree.worker)
    response = client.post(
        act(m.pk, "record-payment"),
        {"record_payment-year": "2026", "record_payment-amount": "100", "record_payment-paid_on": "2026-01-05", "record_payment-method": "cash"},
    )
    assert response.status_code == 403


def test_pay_online_with_sandbox(client, tree, society, applicant, settings):
    settings.PAYMENT_GATEWAY = "sandbox"
    m = active(tree, society, applicant)
    client.force_login(tree.worker)
    assert "online" in text(client.get(url("detail", m.pk)))
    response = client.post(act(m.pk, "pay-online"))
    m.refresh_from_db()
    assert response.status_code == 302 and m.paid_through is not None
    payment = m.payments.get()
    assert payment.status == PaymentStatus.CONFIRMED and payment.receipt_no.startswith("SANDBOX-")
    html = text(client.get(url("detail", m.pk), follow=True))
    assert payment.receipt_no in html


def test_pay_online_offline_gateway_is_400(client, tree, society, applicant, settings):
    settings.PAYMENT_GATEWAY = "offline"
    m = active(tree, society, applicant)
    client.force_login(tree.worker)
    response = client.post(act(m.pk, "pay-online"))
    assert response.status_code == 400 and "Online payment is not available" in text(response)


def test_report_then_confirm_and_reject_payment(client, tree, society, applicant):
    m = active(tree, society, applicant)
    year = dues.next_year_due(m)
    client.force_login(tree.worker)
    response = client.post(
        act(m.pk, "report-payment"),
        {"report_payment-year": str(year), "report_payment-paid_on": "2020-01-01", "report_payment-method": "bank_transfer", "report_payment-reference": ""},
    )
    assert response.status_code == 400
    client.post(
        act(m.pk, "report-payment"),
        {
            "report_payment-year": str(year),
            "report_payment-paid_on": datetime.date.today().isoformat(),
            "report_payment-method": "bank_transfer",
            "report_payment-reference": "TX-9",
        },
    )
    payment = m.payments.get()
    client.force_login(tree.sibling_staff)
    assert client.post(reverse("memberships:payment_confirm", args=[payment.pk])).status_code == 404
    client.force_login(tree.society_secretary)
    assert "TX-9" in text(client.get(url("payments")))
    response = client.post(reverse("memberships:payment_reject", args=[payment.pk]), {"reason": "", "back": "payments"})
    payment.refresh_from_db()
    assert response["Location"] == url("payments") and payment.status == PaymentStatus.PENDING
    response = client.post(reverse("memberships:payment_confirm", args=[payment.pk]), {"receipt_no": "R-77", "back": "payments"})
    payment.refresh_from_db()
    m.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED and payment.receipt_no == "R-77" and m.paid_through.year == year
    response = client.post(reverse("memberships:payment_confirm", args=[payment.pk]), {"receipt_no": "R-78"})
    assert response.status_code == 302  # shown as a message, not a 500


def test_representatives_add_and_remove(client, tree, society, applicant):
    group = member_classes.create_member_class(tree.soc, actor=tree.society_secretary, code="unit", name="Unit member", kind="group")
    m = applications.apply_for_group_membership(actor=tree.worker, society=tree.soc, member_class=group, unit=tree.host, contact_person=applicant)
    rep = make_person(tree, name="周工")
    client.force_login(tree.society_secretary)
    response = client.post(act(m.pk, "add-representative"), {"add_representative-person": "abc"})
    assert response.status_code == 400
    client.post(act(m.pk, "add-representative"), {"add_representative-person": rep.pk, "add_representative-role": "总工"})
    item = GroupRepresentative.objects.get(membership=m)
    assert "周工" in text(client.get(url("detail", m.pk)))
    client.post(reverse("memberships:representative_remove", args=[m.pk, item.pk]))
    assert not GroupRepresentative.objects.exists()


# ---- Members list ----------------------------------------------------------------------------


def test_members_list_filters(client, tree, society, applicant):
    m = active(tree, society, applicant)
    client.force_login(tree.society_secretary)
    html = text(client.get(url("members", tree.soc.pk), {"status": "active", "member_class": "full", "text": m.number, "kind": "individual"}))
    assert "李明" in html
    assert "李明" not in text(client.get(url("members", tree.soc.pk), {"kind": "group"}))
    assert client.get(url("members", tree.soc.pk), {"status": "bogus"}).status_code == 400
    response = client.get(url("members", tree.soc.pk), {"text": "李"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in text(response) and "李明" in text(response)


# ---- Classes and rules -----------------------------------------------------------------------


def test_classes_create_defaults_and_new(client, tree, society):
    client.force_login(tree.society_secretary)
    MemberClass.objects.filter(code="student").delete()
    response = client.post(url("classes_defaults", tree.soc.pk))
    assert response.status_code == 302 and MemberClass.objects.filter(society=tree.soc, code="student").exists()
    data = {
        "code": "honor",
        "name": "荣誉会员",
        "kind": "honorary",
        "annual_dues": "0",
        "approval_steps": "理事会\n",
        "is_open": "on",
        "required_documents": "推荐信\n 成果清单 \n",
    }
    response = client.post(url("classes", tree.soc.pk), data)
    item = MemberClass.objects.get(society=tree.soc, code="honor")
    assert response.status_code == 302 and item.required_documents == ["推荐信", "成果清单"] and item.approval_steps == ["理事会"]
    response = client.post(url("classes", tree.soc.pk), data)
    assert response.status_code == 400 and "already has a class with this code" in text(response)
    response = client.post(url("classes", tree.soc.pk), {**data, "code": "x2", "approval_steps": ""})
    assert response.status_code == 400


def test_class_edit_shows_history(client, tree, society):
    item = society.classes["full"]
    client.force_login(tree.society_secretary)
    html = text(client.get(url("class_edit", item.pk)))
    assert "Secretariat check\nMembership committee" in html
    data = {
        "code": "full",
        "name": "正式会员",
        "kind": "full",
        "annual_dues": "120",
        "min_title_level": "intermediate",
        "approval_steps": "Secretariat check\nMembership committee",
        "is_open": "on",
        "sort": "2",
    }
    response = client.post(url("class_edit", item.pk), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.annual_dues == 120 and item.name == "正式会员"
    html = text(client.get(url("class_edit", item.pk)))
    assert "Member class changed" in html and "Member class created" in html and "120.00" in html
    response = client.post(url("class_edit", item.pk), {**data, "annual_dues": "lots", "sort": "x" * 300})
    assert response.status_code == 400
    client.force_login(tree.worker)
    assert client.get(url("class_edit", item.pk)).status_code == 404


def test_rules_edit_with_bands_and_history(client, tree, society):
    client.force_login(tree.society_secretary)
    html = text(client.get(url("rules", tree.soc.pk)))
    assert "0,10\n1000,8" in html
    data = {"number_format": "{code}-{seq:06}", "next_seq": "5", "grace_days": "60", "reminder_days": "20", "growth_bands": "0,9\n500,6"}
    response = client.post(url("rules", tree.soc.pk), data)
    assert response.status_code == 302
    rules = workflow.rules_of(tree.soc)
    assert rules.growth_bands == [[0, 9], [500, 6]] and rules.grace_days == 60
    assert "Membership rules changed" in text(client.get(url("rules", tree.soc.pk)))
    assert client.post(url("rules", tree.soc.pk), {**data, "growth_bands": "a,b"}).status_code == 400
    response = client.post(url("rules", tree.soc.pk), {**data, "growth_bands": "5,9\n1,6"})
    assert response.status_code == 400 and "Targets must be rows" in text(response)
    assert client.post(url("rules", tree.soc.pk), {**data, "grace_days": "ninety"}).status_code == 400
    response = client.post(url("rules", tree.soc.pk), {**data, "number_format": "{nope}"})
    assert response.status_code == 400
    client.force_login(tree.worker)
    assert client.get(url("rules", tree.soc.pk)).status_code == 404
