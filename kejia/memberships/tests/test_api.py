"""The membership API with bearer tokens: every operation's happy path, the whole story from
application to a revoked certificate, scope (404 outside, 403 in scope without a staff role or for
a member trying a staff action), 409 for illegal transitions, validation naming the field with
nothing written, and the public endpoints without login."""

import datetime

import pytest
from django.test import Client

from kejia.accounts.services import create_user, grant_role, issue_api_token
from kejia.core.models import AuditEvent
from kejia.core.testing import worlds
from kejia.memberships import applications, member_classes, transitions
from kejia.memberships.choices import MembershipStatus
from kejia.memberships.models import DuesPayment, GroupRepresentative, MemberClass, Membership, MembershipEvent
from kejia.memberships.tests.conftest import make_person, pdf

# conftest's tree built once for the module; each test runs in a savepoint (kejia/core/testing/worlds.py).
_world, db, tree = worlds.shared_tree()

S = MembershipStatus


class Api:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {issue_api_token(user)[1]}"}

    def get(self, url, **params):
        return self.client.get(url, params, headers=self.headers)

    def post(self, url, data=None):
        return self.client.post(url, data if data is not None else {}, content_type="application/json", headers=self.headers)

    def form(self, url, data):
        """multipart/form-data, as a browser sends a form with files."""
        return self.client.post(url, data, headers=self.headers)

    def patch(self, url, data):
        return self.client.patch(url, data, content_type="application/json", headers=self.headers)

    def delete(self, url):
        return self.client.delete(url, headers=self.headers)


@pytest.fixture
def as_(tree):
    cache = {}

    def get(user):
        if user.pk not in cache:
            cache[user.pk] = Api(user)
        return cache[user.pk]

    return get


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    return tmp_path


def written():
    """What a refused request must leave untouched."""
    return (
        Membership.objects.count(),
        MembershipEvent.objects.count(),
        DuesPayment.objects.count(),
        MemberClass.objects.count(),
        AuditEvent.objects.exclude(action="api_token.issued").count(),
    )


def apply_full(tree, society, as_, **over):
    data = {"society_id": tree.soc.pk, "class_id": society.classes["full"].pk, "statement": "研究方向：软件工程", **over}
    response = as_(tree.worker).form("/api/memberships/applications", data)
    assert response.status_code == 201, response.content
    return response.json()


def active_member(tree, society, applicant):
    m = applications.apply_for_membership(actor=tree.worker, society=tree.soc, member_class=society.classes["full"], person=applicant)
    m = transitions.approve_membership(m, actor=tree.society_secretary)
    return transitions.approve_membership(m, actor=tree.society_secretary)


def other_member(tree, society, name="王芳"):
    """A member whose profile is not the worker's."""
    person = make_person(tree, name=name)
    m = applications.apply_for_membership(actor=tree.society_secretary, society=tree.soc, member_class=society.classes["full"], person=person)
    return transitions.approve_membership(transitions.approve_membership(m, actor=tree.society_secretary), actor=tree.society_secretary)


def group_class(tree):
    return member_classes.create_member_class(
        tree.soc, actor=tree.society_secretary, code="unit", name="单位会员", kind="group", annual_dues="2000", approval_steps=["秘书处审核"]
    )


# ---- The whole story -----------------------------------------------------------------------


@pytest.mark.django_db
def test_story_apply_approve_pay_certificate_verify_suspend(tree, society, applicant, as_, media):
    staff, worker = as_(tree.society_secretary), as_(tree.worker)
    m = apply_full(tree, society, as_)
    assert m["status"] == S.APPLIED and m["person"] == {"id": applicant.pk, "name": "李明"} and m["is_own"] and not m["can_manage"]
    assert m["step_name"] == society.classes["full"].approval_steps[0]

    step1 = staff.post(f"/api/memberships/{m['id']}/approve", {"note": "材料齐全"}).json()
    assert step1["status"] == S.APPLIED and step1["step"] == 1 and step1["can_manage"]
    active = staff.post(f"/api/memberships/{m['id']}/approve").json()
    year = datetime.date.fromisoformat(active["joined_on"]).year
    assert active["status"] == S.ACTIVE and active["number"] == f"SOC-{year}-00001"
    assert [e["transition"] for e in active["events"]] == ["apply", "approve_step", "approve"]
    assert active["next_year_due"] == year and active["arrears"] == [{"year": year, "amount": "100.00"}]

    paid = staff.post(f"/api/memberships/{m['id']}/payments", {"year": year, "amount": "100", "receipt_no": "R-1"})
    assert paid.status_code == 201 and paid.json()["status"] == "confirmed"
    detail = worker.get(f"/api/memberships/{m['id']}").json()
    assert detail["paid_through"] == f"{year}-12-31" and detail["arrears"] == [] and detail["next_year_due"] == year + 1
    assert len(detail["payments"]) == 1

    cert = worker.get(f"/api/memberships/{m['id']}/certificate").json()
    assert cert["valid_until"] == f"{year}-12-31" and cert["number"] == active["number"]
    assert cert["verification_url"].endswith("/verify/" + cert["token"])
    public = Client()
    verdict = public.get("/api/verify", {"token": cert["verification_url"]}).json()
    assert verdict["state"] == "valid" and verdict["fields"]["serial"] == cert["serial"] and verdict["fields"]["name"] == "李*"
    assert cert["kid"] in public.get("/api/verify/keys").json()["keys"]

    suspended = staff.post(f"/api/memberships/{m['id']}/suspend", {"reason": "违反章程"}).json()
    assert suspended["status"] == S.SUSPENDED and suspended["reason"] == "违反章程"
    assert public.get("/api/verify", {"token": cert["token"]}).json()["state"] == "revoked"
    assert worker.get(f"/api/memberships/{m['id']}/certificate").status_code == 409


# ---- Public and unauthenticated ------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_401_except_public_endpoints(tree, society, client):
    m = other_member(tree, society)
    for url in (
        "/api/memberships",
        "/api/memberships/mine",
        f"/api/memberships/{m.pk}",
        "/api/memberships/queue",
        f"/api/memberships/{m.pk}/certificate",
        "/api/payments/pending",
        f"/api/societies/{tree.soc.pk}/membership-rules",
        f"/api/societies/{tree.soc.pk}/membership-stats",
        "/api/memberships/stats",
    ):
        assert client.get(url).status_code == 401, url
    response = client.post(f"/api/memberships/{m.pk}/suspend", {"reason": "x"}, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert client.get(f"/api/societies/{tree.soc.pk}/member-classes").status_code == 200
    assert client.get("/api/verify", {"token": "nonsense"}).json()["state"] == "forged"
    assert client.get("/api/verify/keys").status_code == 200


@pytest.mark.django_db
def test_verify_rejects_a_forged_or_altered_token(tree, society, applicant, client):
    from kejia.memberships import certificates

    cert = certificates.current_certificate(active_member(tree, society, applicant))
    altered = cert.token[:-3] + ("AAA" if not cert.token.endswith("AAA") else "BBB")
    assert client.get("/api/verify", {"token": altered}).json()["state"] == "forged"
    assert client.get("/api/verify").status_code == 422
    assert client.get("/api/verify", {"token": "x" * 2001}).status_code == 422


# ---- Member classes and rules --------------------------------------------------------------


@pytest.mark.django_db
def test_list_member_classes_public_sees_open_ones_and_staff_all(tree, society, client, as_):
    member_classes.update_member_class(society.classes["student"], actor=tree.society_secretary, is_open=False)
    public = client.get(f"/api/societies/{tree.soc.pk}/member-classes").json()
    assert [c["code"] for c in public] == ["senior", "full"] and public[1]["annual_dues"] == "100.00"
    assert [c["code"] for c in as_(tree.society_secretary).get(f"/api/societies/{tree.soc.pk}/member-classes").json()] == ["senior", "full", "student"]
    assert client.get(f"/api/societies/{tree.xw.pk}/member-classes").status_code == 404  # not a society


@pytest.mark.django_db
def test_create_member_class(tree, society, as_):
    response = as_(tree.society_secretary).post(
        f"/api/societies/{tree.soc.pk}/member-classes",
        {"code": "honor", "name": "荣誉会员", "kind": "honorary", "annual_dues": "0", "approval_steps": ["理事会"], "required_documents": ["推荐信"]},
    )
    assert response.status_code == 201, response.content
    item = MemberClass.objects.get(pk=response.json()["id"])
    assert item.society_id == tree.soc.pk and item.approval_steps == ["理事会"] and item.required_documents == ["推荐信"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "full", "name": "重复", "kind": "full"}, 400, "code"),
        ({"code": "x", "name": "月球会员", "kind": "moon"}, 400, "kind"),
        ({"code": "x", "name": "负会费", "kind": "full", "annual_dues": "-1"}, 422, "annual_dues"),
        ({"code": "x", "name": "空步骤", "kind": "full", "approval_steps": []}, 400, "approval_steps"),
        ({"code": "x", "kind": "full"}, 422, "name"),
    ],
)
def test_create_member_class_rejects_bad_input_naming_the_field(tree, society, as_, body, status, field):
    before = written()
    response = as_(tree.society_secretary).post(f"/api/societies/{tree.soc.pk}/member-classes", body)
    assert response.status_code == status and response.json()["field"] == field
    assert written() == before


@pytest.mark.django_db
def test_member_class_writes_need_the_societys_staff(tree, society, as_):
    body = {"code": "x", "name": "X", "kind": "full"}
    assert as_(tree.worker).post(f"/api/societies/{tree.soc.pk}/member-classes", body).status_code == 404
    assert as_(tree.sibling_staff).patch(f"/api/member-classes/{society.classes['full'].pk}", {"name": "改"}).status_code == 404
    grant_role(tree.worker, actor=tree.platform, organization=tree.soc, kind="leader")
    assert as_(tree.worker).post(f"/api/societies/{tree.soc.pk}/member-classes", body).status_code == 403
    assert as_(tree.province_staff).post(f"/api/societies/{tree.soc.pk}/member-classes", body).status_code == 201


@pytest.mark.django_db
def test_update_member_class(tree, society, as_):
    url = f"/api/member-classes/{society.classes['full'].pk}"
    data = as_(tree.society_secretary).patch(url, {"annual_dues": "120", "is_open": False, "min_years_in_field": None}).json()
    assert data["annual_dues"] == "120.00" and not data["is_open"] and data["name"] == society.classes["full"].name
    response = as_(tree.society_secretary).patch(url, {"name": None})
    assert response.status_code == 400 and response.json()["field"] == "name"


@pytest.mark.django_db
def test_create_default_classes_adds_only_missing_ones(tree, as_):
    staff = as_(tree.society_secretary)
    response = staff.post(f"/api/societies/{tree.soc.pk}/member-classes/defaults")
    assert response.status_code == 201 and [c["code"] for c in response.json()] == ["senior", "full", "student"]
    assert staff.post(f"/api/societies/{tree.soc.pk}/member-classes/defaults").json() == []


@pytest.mark.django_db
def test_membership_rules_read_and_change(tree, society, as_):
    url = f"/api/societies/{tree.soc.pk}/membership-rules"
    assert as_(tree.province_staff).get(url).json()["number_format"] == "{code}-{year}-{seq:05}"
    data = as_(tree.society_secretary).patch(url, {"grace_days": 60, "growth_bands": [[0, 8], [500, 4]]}).json()
    assert data["grace_days"] == 60 and data["growth_bands"] == [[0, 8], [500, 4]]
    assert as_(tree.sibling_staff).get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"grace_days": -1}, "grace_days"),
        ({"growth_bands": [[100, 5]]}, "growth_bands"),
        ({"number_format": "{nope}"}, "number_format"),
        ({"next_seq": None}, "next_seq"),
    ],
)
def test_membership_rules_reject_bad_values(tree, society, as_, body, field):
    before = written()
    response = as_(tree.society_secretary).patch(f"/api/societies/{tree.soc.pk}/membership-rules", body)
    assert response.status_code == 400 and response.json()["field"] == field
    assert written() == before


# ---- Applications --------------------------------------------------------------------------


@pytest.mark.django_db
def test_apply_with_a_required_document(tree, society, applicant, as_, media):
    student = society.classes["student"]
    response = as_(tree.worker).form(
        "/api/memberships/applications",
        {
            "society_id": tree.soc.pk,
            "class_id": student.pk,
            "is_student": "true",
            "document_names": [student.required_documents[0]],
            "documents": [pdf("card.pdf")],
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["is_student"] and [d["name"] for d in data["documents"]] == student.required_documents
    assert data["documents"][0]["original_name"] == "card.pdf" and "file" not in data["documents"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("over", "status", "field"),
    [
        ({"class_id": 987654}, 400, "class_id"),
        ({"society_id": 987654}, 400, "society_id"),
        ({"class": "senior"}, 400, "class_id"),  # not eligible: needs a senior title and 15 years
        ({"class": "student"}, 400, "is_student"),
        ({"class": "student", "is_student": "true"}, 400, "documents"),
        ({"years_in_field": "-1"}, 422, "years_in_field"),
    ],
)
def test_apply_rejects_bad_input_naming_the_field(tree, society, applicant, as_, media, over, status, field):
    data = {"society_id": tree.soc.pk, "class_id": society.classes["full"].pk}
    if "class" in over:
        data["class_id"] = society.classes[over.pop("class")].pk
    data.update(over)
    before = written()
    response = as_(tree.worker).form("/api/memberships/applications", data)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert written() == before
    assert not list(media.rglob("*.pdf"))


@pytest.mark.django_db
def test_apply_with_a_class_of_another_society_is_400(tree, society, applicant, as_):
    other = member_classes.create_member_class(tree.soc, actor=tree.platform, code="o", name="O", kind="full")
    other.society = tree.js
    other.save()
    response = as_(tree.worker).form("/api/memberships/applications", {"society_id": tree.soc.pk, "class_id": other.pk})
    assert response.status_code == 400 and response.json()["code"] == "unknown_class"


@pytest.mark.django_db
def test_apply_twice_or_without_a_profile(tree, society, applicant, as_):
    apply_full(tree, society, as_)
    response = as_(tree.worker).form("/api/memberships/applications", {"society_id": tree.soc.pk, "class_id": society.classes["full"].pk})
    assert response.status_code == 400 and response.json() == {**response.json(), "code": "already_member", "field": "society_id"}
    response = as_(tree.county_staff).form("/api/memberships/applications", {"society_id": tree.soc.pk, "class_id": society.classes["full"].pk})
    assert response.status_code == 400 and response.json()["code"] == "no_profile"


@pytest.mark.django_db
def test_group_application_and_representatives(tree, society, applicant, as_):
    unit_class = group_class(tree)
    colleague = make_person(tree, name="赵强")
    response = as_(tree.worker).post(
        "/api/memberships/group-applications",
        {
            "society_id": tree.soc.pk,
            "class_id": unit_class.pk,
            "unit_id": tree.host.pk,
            "contact_person_id": applicant.pk,
            "representative_ids": [applicant.pk],
        },
    )
    assert response.status_code == 201, response.content
    m = response.json()
    assert m["unit"]["id"] == tree.host.pk and m["person"] is None and m["contact_person"]["id"] == applicant.pk
    assert [r["person"]["id"] for r in m["representatives"]] == [applicant.pk]
    # The contact person cannot name someone outside their reach; the society's staff can.
    assert as_(tree.worker).post(f"/api/memberships/{m['id']}/representatives", {"person_id": colleague.pk}).json()["field"] == "person_id"
    added = as_(tree.society_secretary).post(f"/api/memberships/{m['id']}/representatives", {"person_id": colleague.pk, "role": "技术负责人"})
    assert added.status_code == 201 and added.json() == {"person": {"id": colleague.pk, "name": "赵强"}, "role": "技术负责人"}
    assert as_(tree.worker).delete(f"/api/memberships/{m['id']}/representatives/{colleague.pk}").status_code == 204
    assert list(GroupRepresentative.objects.filter(membership_id=m["id"]).values_list("person_id", flat=True)) == [applicant.pk]
    assert as_(tree.worker).delete(f"/api/memberships/{m['id']}/representatives/{colleague.pk}").status_code == 404
    assert as_(tree.sibling_staff).delete(f"/api/memberships/{m['id']}/representatives/{applicant.pk}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("over", "field"), [({"unit_id": 987654}, "unit_id"), ({"contact_person_id": 987654}, "contact_person_id"), ({"class": "full"}, "class_id")]
)
def test_group_application_rejects_unknown_ids(tree, society, applicant, as_, over, field):
    data = {"society_id": tree.soc.pk, "class_id": group_class(tree).pk, "unit_id": tree.host.pk, "contact_person_id": applicant.pk}
    if "class" in over:
        data["class_id"] = society.classes[over.pop("class")].pk
    data.update(over)
    before = written()
    response = as_(tree.worker).post("/api/memberships/group-applications", data)
    assert response.status_code == 400 and response.json()["field"] == field
    assert written() == before


# ---- Reading -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mine_list_and_queue(tree, society, applicant, as_):
    mine = apply_full(tree, society, as_)
    other = other_member(tree, society)
    assert [m["id"] for m in as_(tree.worker).get("/api/memberships/mine").json()["items"]] == [mine["id"]]
    staff = as_(tree.society_secretary)
    data = staff.get("/api/memberships").json()
    assert data["count"] == 2 and {m["id"] for m in data["items"]} == {mine["id"], other.pk}
    assert [m["id"] for m in staff.get("/api/memberships", status="active").json()["items"]] == [other.pk]
    assert [m["id"] for m in staff.get("/api/memberships", q="王").json()["items"]] == [other.pk]
    assert staff.get("/api/memberships", member_class="senior").json()["count"] == 0
    assert staff.get("/api/memberships", society_id=tree.soc.pk, limit=1, offset=1).json()["count"] == 2
    assert len(staff.get("/api/memberships", limit=1).json()["items"]) == 1
    assert [m["id"] for m in staff.get("/api/memberships/queue").json()["items"]] == [mine["id"]]
    assert as_(tree.province_staff).get("/api/memberships/queue", society_id=tree.soc.pk).json()["count"] == 1
    assert as_(tree.worker).get("/api/memberships").json()["count"] == 0
    assert as_(tree.sibling_staff).get("/api/memberships").json()["count"] == 0
    assert as_(tree.sibling_staff).get("/api/memberships", society_id=tree.soc.pk).status_code == 404
    assert staff.get("/api/memberships", status="sleeping").status_code == 422


@pytest.mark.django_db
def test_answers_carry_no_identifier_or_phone(tree, society, as_):
    person = make_person(tree, name="孙丽", resident_id="11010519491231002X", phone="13800138000")
    m = applications.apply_for_membership(actor=tree.society_secretary, society=tree.soc, member_class=society.classes["full"], person=person)
    response = as_(tree.society_secretary).get(f"/api/memberships/{m.pk}")
    text = response.content.decode()
    assert "11010519491231002X" not in text and "13800138000" not in text and "****8000" not in text
    assert response.json()["person"] == {"id": person.pk, "name": "孙丽"}


@pytest.mark.django_db
def test_scope_on_one_membership(tree, society, applicant, as_):
    mine = apply_full(tree, society, as_)
    other = other_member(tree, society)
    assert as_(tree.worker).get(f"/api/memberships/{other.pk}").status_code == 404
    assert as_(tree.worker).get(f"/api/memberships/{other.pk}/payments").status_code == 404
    for user in (tree.sibling_staff, tree.wx_staff):
        for url in (f"/api/memberships/{mine['id']}", f"/api/memberships/{mine['id']}/payments", f"/api/memberships/{other.pk}/certificate"):
            assert as_(user).get(url).status_code == 404, (user, url)
        assert as_(user).post(f"/api/memberships/{mine['id']}/approve").status_code == 404
        assert as_(user).post(f"/api/memberships/{other.pk}/suspend", {"reason": "x"}).status_code == 404
    assert as_(tree.province_staff).get(f"/api/memberships/{mine['id']}").status_code == 200
    assert as_(tree.society_secretary).get("/api/memberships/987654321").status_code == 404
    assert as_(tree.society_secretary).get("/api/memberships/0").status_code == 422
    assert as_(tree.society_secretary).get(f"/api/memberships/{2**63}").status_code == 422
    assert Membership.objects.get(pk=mine["id"]).status == S.APPLIED and Membership.objects.get(pk=other.pk).status == S.ACTIVE


@pytest.mark.django_db
def test_worker_cannot_approve_and_a_leader_only_reads(tree, society, applicant, as_):
    mine = apply_full(tree, society, as_)
    response = as_(tree.worker).post(f"/api/memberships/{mine['id']}/approve")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    leader = create_user(actor=tree.platform, username="soc_leader", password=tree.password, display_name="理事长", check_password=False)
    grant_role(leader, actor=tree.platform, organization=tree.soc, kind="leader")
    assert as_(leader).get(f"/api/memberships/{mine['id']}").status_code == 200
    assert as_(leader).post(f"/api/memberships/{mine['id']}/approve").status_code == 403
    assert as_(leader).post(f"/api/memberships/{mine['id']}/reject", {"reason": "x"}).status_code == 403
    assert Membership.objects.get(pk=mine["id"]).step == 0


# ---- Transitions ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_info_supply_reject(tree, society, applicant, as_, media):
    mine = apply_full(tree, society, as_)
    staff = as_(tree.society_secretary)
    asked = staff.post(f"/api/memberships/{mine['id']}/request-info", {"reason": "请补充职称证书"}).json()
    assert asked["status"] == S.NEEDS_INFO and asked["reason"] == "请补充职称证书"
    supplied = as_(tree.worker).form(
        f"/api/memberships/{mine['id']}/supply", {"statement": "已补充", "document_names": ["其他"], "documents": [pdf("title.pdf")]}
    )
    assert supplied.status_code == 200, supplied.content
    assert supplied.json()["status"] == S.APPLIED and "已补充" in supplied.json()["statement"] and len(supplied.json()["documents"]) == 1
    rejected = staff.post(f"/api/memberships/{mine['id']}/reject", {"reason": "不符合条件"}).json()
    assert rejected["status"] == S.REJECTED


@pytest.mark.django_db
def test_withdraw_transfer_terminate_readmit_resign(tree, society, applicant, as_):
    staff = as_(tree.society_secretary)
    mine = apply_full(tree, society, as_)
    assert as_(tree.worker).post(f"/api/memberships/{mine['id']}/withdraw").json()["status"] == S.WITHDRAWN
    m = other_member(tree, society)
    moved = staff.post(f"/api/memberships/{m.pk}/transfer", {"class_id": society.classes["student"].pk}).json()
    assert moved["member_class"]["code"] == "student" and moved["number"] == m.number
    ended = staff.post(f"/api/memberships/{m.pk}/terminate", {"reason": "严重违纪"}).json()
    assert ended["status"] == S.TERMINATED and ended["ended_on"]
    back = staff.post(f"/api/memberships/{m.pk}/readmit", {"note": "复议"}).json()
    assert back["status"] == S.ACTIVE and back["number"] == m.number
    assert staff.post(f"/api/memberships/{m.pk}/suspend", {"reason": "调查"}).json()["status"] == S.SUSPENDED
    assert staff.post(f"/api/memberships/{m.pk}/reinstate").json()["status"] == S.ACTIVE
    # Resigning is the member's own act.
    assert staff.post(f"/api/memberships/{m.pk}/resign").status_code == 403
    member = active_member(tree, society, applicant)
    resigned = as_(tree.worker).post(f"/api/memberships/{member.pk}/resign", {"reason": "个人原因"}).json()
    assert resigned["status"] == S.RESIGNED and resigned["reason"] == "个人原因"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "action", "body"),
    [
        ("staff", "suspend", {"reason": "x"}),
        ("staff", "reinstate", None),
        ("staff", "readmit", None),
        ("staff", "transfer", "student"),
        ("worker", "supply", None),
        ("worker", "resign", None),
    ],
)
def test_illegal_transitions_are_409(tree, society, applicant, as_, who, action, body):
    mine = apply_full(tree, society, as_)
    client = as_(tree.society_secretary if who == "staff" else tree.worker)
    before = written()
    if action == "supply":
        response = client.form(f"/api/memberships/{mine['id']}/supply", {"statement": "x"})
    else:
        response = client.post(f"/api/memberships/{mine['id']}/{action}", {"class_id": society.classes[body].pk} if body == "student" else body)
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "illegal_transition"
    assert written() == before


@pytest.mark.django_db
def test_approving_an_active_member_or_withdrawing_it_is_409(tree, society, applicant, as_):
    m = active_member(tree, society, applicant)
    assert as_(tree.society_secretary).post(f"/api/memberships/{m.pk}/approve").status_code == 409
    assert as_(tree.worker).post(f"/api/memberships/{m.pk}/withdraw").json()["code"] == "illegal_transition"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "body", "status"),
    [
        ("reject", {}, 422),
        ("reject", {"reason": "  "}, 400),
        ("request-info", {}, 422),
        ("suspend", {"reason": ""}, 400),
        ("terminate", {"reason": "x" * 501}, 422),
    ],
)
def test_missing_reason_names_the_field(tree, society, applicant, as_, action, body, status):
    m = apply_full(tree, society, as_) if action in ("reject", "request-info") else {"id": active_member(tree, society, applicant).pk}
    before = written()
    response = as_(tree.society_secretary).post(f"/api/memberships/{m['id']}/{action}", body)
    assert response.status_code == status and response.json()["field"] == "reason"
    assert written() == before


@pytest.mark.django_db
def test_transfer_to_an_unknown_class_is_400(tree, society, applicant, as_):
    m = active_member(tree, society, applicant)
    before = written()
    for class_id in (987654, group_class(tree).pk):
        response = as_(tree.society_secretary).post(f"/api/memberships/{m.pk}/transfer", {"class_id": class_id})
        assert response.status_code == 400 and response.json()["field"] == "class_id"
    assert written()[:3] == before[:3]


# ---- Dues ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("over", "status", "field"),
    [
        ({"year": "next"}, 422, "year"),
        ({"year": 1800}, 422, "year"),
        ({"year": "+1"}, 400, "year"),
        ({"amount": "50"}, 400, "amount"),
        ({"amount": "abc"}, 422, "amount"),
        ({"paid_on": "2999-01-01"}, 400, "paid_on"),
        ({"method": "gold"}, 422, "method"),
    ],
)
def test_record_payment_rejects_bad_input(tree, society, applicant, as_, over, status, field):
    m = active_member(tree, society, applicant)
    body = {"year": m.joined_on.year, "amount": "100", **over}
    if body["year"] == "+1":
        body["year"] = m.joined_on.year + 1
    before = written()
    response = as_(tree.society_secretary).post(f"/api/memberships/{m.pk}/payments", body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert written() == before


@pytest.mark.django_db
def test_record_payment_needs_staff(tree, society, applicant, as_):
    m = active_member(tree, society, applicant)
    body = {"year": m.joined_on.year, "amount": "100"}
    assert as_(tree.worker).post(f"/api/memberships/{m.pk}/payments", body).status_code == 403
    assert as_(tree.wx_staff).post(f"/api/memberships/{m.pk}/payments", body).status_code == 404
    assert not DuesPayment.objects.exists()


@pytest.mark.django_db
def test_report_confirm_and_reject_payments(tree, society, applicant, as_):
    m = active_member(tree, society, applicant)
    year = m.joined_on.year
    worker, staff = as_(tree.worker), as_(tree.society_secretary)
    assert worker.post(f"/api/memberships/{m.pk}/payments/report", {"year": year}).status_code == 422
    reported = worker.post(f"/api/memberships/{m.pk}/payments/report", {"year": year, "reference": "TX-1"})
    assert reported.status_code == 201 and reported.json()["status"] == "pending"
    pending = staff.get("/api/payments/pending").json()
    assert pending["count"] == 1 and pending["items"][0]["member_number"] == m.number
    assert as_(tree.sibling_staff).get("/api/payments/pending").json()["count"] == 0
    assert staff.post(f"/api/payments/{reported.json()['id']}/reject", {"reason": ""}).json()["field"] == "reason"
    rejected = staff.post(f"/api/payments/{reported.json()['id']}/reject", {"reason": "未到账"})
    assert rejected.json()["status"] == "rejected"
    again = worker.post(f"/api/memberships/{m.pk}/payments/report", {"year": year, "reference": "TX-2"}).json()
    assert worker.post(f"/api/payments/{again['id']}/confirm").status_code == 403  # their own payment: in reach, not theirs to decide
    assert as_(tree.sibling_staff).post(f"/api/payments/{again['id']}/confirm").status_code == 404
    confirmed = staff.post(f"/api/payments/{again['id']}/confirm", {"receipt_no": "R-9"}).json()
    assert confirmed["status"] == "confirmed" and confirmed["receipt_no"] == "R-9"
    assert staff.post(f"/api/payments/{again['id']}/confirm").json()["code"] == "not_pending"
    assert [p["status"] for p in worker.get(f"/api/memberships/{m.pk}/payments").json()] == ["confirmed", "rejected"]
    assert staff.post(f"/api/memberships/{m.pk}/payments/report", {"year": year + 1, "reference": "x"}).status_code == 403


@pytest.mark.django_db
def test_pay_online_with_the_sandbox_gateway(tree, society, applicant, as_, settings):
    m = active_member(tree, society, applicant)
    settings.PAYMENT_GATEWAY = "offline"
    response = as_(tree.worker).post(f"/api/memberships/{m.pk}/payments/online")
    assert response.status_code == 400 and response.json()["code"] == "no_online_payment"
    settings.PAYMENT_GATEWAY = "sandbox"
    response = as_(tree.worker).post(f"/api/memberships/{m.pk}/payments/online")
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    assert response.json()["reference"].startswith("SANDBOX-") and response.json()["year"] == m.joined_on.year
    m.refresh_from_db()
    assert m.paid_through == datetime.date(m.joined_on.year, 12, 31)
    assert as_(tree.society_secretary).post(f"/api/memberships/{m.pk}/payments/online").status_code == 403


# ---- Certificates --------------------------------------------------------------------------


@pytest.mark.django_db
def test_certificate_of_an_application_is_409(tree, society, applicant, as_):
    mine = apply_full(tree, society, as_)
    response = as_(tree.worker).get(f"/api/memberships/{mine['id']}/certificate")
    assert response.status_code == 409 and response.json()["code"] == "not_active"


@pytest.mark.django_db
def test_certificate_is_stable_and_seen_by_staff(tree, society, applicant, as_):
    m = active_member(tree, society, applicant)
    first = as_(tree.worker).get(f"/api/memberships/{m.pk}/certificate").json()
    assert as_(tree.society_secretary).get(f"/api/memberships/{m.pk}/certificate").json()["serial"] == first["serial"]
    assert first["society"]["id"] == tree.soc.pk and first["member_class"] == "full"


# ---- Figures -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_society_stats_for_staff_in_scope(tree, society, applicant, as_):
    active_member(tree, society, applicant)
    data = as_(tree.society_secretary).get(f"/api/societies/{tree.soc.pk}/membership-stats")
    assert data.status_code == 200, data.content
    assert data.json()["society"]["id"] == tree.soc.pk
    assert as_(tree.province_staff).get(f"/api/societies/{tree.soc.pk}/membership-stats").status_code == 200
    for user in (tree.sibling_staff, tree.wx_staff, tree.worker):
        assert as_(user).get(f"/api/societies/{tree.soc.pk}/membership-stats").status_code == 404


@pytest.mark.django_db
def test_membership_overview_is_scoped(tree, society, applicant, as_):
    active_member(tree, society, applicant)
    rows = as_(tree.province_staff).get("/api/memberships/stats").json()
    assert tree.soc.pk in [r["society"]["id"] for r in rows["items"]] and rows["count"] == len(rows["items"])
    assert tree.soc.pk in [r["society"]["id"] for r in as_(tree.province_staff).get("/api/memberships/stats", root=tree.js.pk).json()["items"]]
    assert tree.soc.pk not in [r["society"]["id"] for r in as_(tree.province_staff).get("/api/memberships/stats", root=tree.nj.pk).json()["items"]]
    assert as_(tree.sibling_staff).get("/api/memberships/stats").json()["count"] == 0
    assert as_(tree.province_staff).get("/api/memberships/stats", offset=rows["count"]).json()["items"] == []
    assert as_(tree.sibling_staff).get("/api/memberships/stats", root=tree.js.pk).status_code == 404


# ---- The documentation ---------------------------------------------------------------------


def test_openapi_describes_every_membership_operation(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    ours = {
        path: ops
        for path, ops in paths.items()
        if path.startswith(("/api/memberships", "/api/member-classes", "/api/payments", "/api/verify"))
        or (path.startswith("/api/societies/") and "member" in path)
    }
    assert len([op for ops in ours.values() for op in ops]) == 37
    for path, ops in ours.items():
        for method, operation in ops.items():
            assert operation.get("description") and operation.get("summary"), f"{method.upper()} {path}"
    assert "security" not in paths["/api/verify"]["get"] and "security" not in paths["/api/verify/keys"]["get"]
    assert "multipart/form-data" in paths["/api/memberships/applications"]["post"]["requestBody"]["content"]
