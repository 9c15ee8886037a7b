"""The memberships endpoints' scope matrix: actors × endpoints that take an object id (pages and
API, reads and writes) × memberships, documents, payments, classes and societies of two
learned societies in different branches (SOC under JS, SOC2 under WX).

Who may do what is computed from the organization paths with `kejia.accounts.scope`, the
member's own account and the transitions of `choices.TRANSITIONS`, never listed by hand:
- view: ok in scope or one's own membership, else outside;
- staff action: outside unless in scope or own; forbidden (403, a page may say 404) without a
  staff role covering the society; else ok when the state allows it, invalid (400/409) otherwise;
- member action: outside unless in scope or own; forbidden unless one's own; else ok or invalid.
Non-ok: nothing written (memberships, events, payments, representatives, documents, classes,
rules, certificates, audit log, notices) and no page naming the member. Ok: 2xx (a page's GET a
200, its POST a redirect) and, for a write, an audit row (the positive control).

The world is built once per module in a transaction rolled back at the end; each request runs in
a savepoint of its own. One test per (actor, endpoint) loops over that endpoint's objects."""

import contextlib
import dataclasses
import datetime
import shutil
import tempfile
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kejia.accounts import scope
from kejia.accounts.services import create_user, grant_role
from kejia.core.errors import NotFound
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing import scope_matrix as sm
from kejia.core.testing.scope_matrix import fixed
from kejia.memberships import applications, dues, member_classes, transitions, views, workflow
from kejia.memberships.choices import LIVE_STATUSES, PENDING_STATUSES, TRANSITIONS, MembershipStatus, PaymentStatus, Transition
from kejia.memberships.models import (
    Certificate,
    DuesPayment,
    GroupRepresentative,
    MemberClass,
    Membership,
    MembershipDocument,
    MembershipEvent,
    MembershipRules,
)
from kejia.organizations.kinds import InstitutionKind
from kejia.organizations.models import Institution, Organization
from kejia.organizations.services import create_organization
from kejia.organizations.tests.test_scope_matrix import OTHER_MATRICES
from kejia.people import selectors as people_selectors
from kejia.people import services as people_services

THIS_MODULE = "kejia/memberships/tests/test_scope.py"
ACTORS = ["society_secretary", "soc_leader", "wx_staff", "province_staff", "sibling_staff", "worker"]
S = MembershipStatus
PEOPLE = {"own": "矩阵本人", "a": "矩阵甲某", "c": "矩阵丙某", "r": "矩阵代表"}
MEMBERSHIPS = [
    "m_soc_own",
    "m_soc_a",
    "m_soc2_own",
    "m_soc2_c",
    "g_soc",
    "g_soc2",
    # beyond the brief's six, so every transition has an allowed case: a suspended and a
    # terminated member, and two units the worker is the contact person of.
    "m_soc_susp",
    "m_soc2_term",
    "g_soc_own",
    "g_soc2_own",
]
GROUPS = [key for key in MEMBERSHIPS if key.startswith("g_")]


# ---- The world, once per module ---------------------------------------------------------------


def _pdf() -> ContentFile:
    return ContentFile(b"%PDF-1.4\n" + b"0" * 100)


def _build(w) -> None:
    platform, today = w.platform, timezone.localdate()
    w.soc_leader = create_user(actor=platform, username="soc_leader", password=w.password, display_name="soc_leader", check_password=False)
    grant_role(w.soc_leader, actor=platform, organization=w.soc, kind="leader")
    w.soc2 = create_organization(actor=platform, parent=w.wx, region=w.regions["320200"], name="无锡市矩阵学会", code="SOC2", kind="municipal_society")
    w.societies = {"soc": w.soc, "soc2": w.soc2}
    classes = {}
    for key, org, actor in (("soc", w.soc, w.society_secretary), ("soc2", w.soc2, platform)):
        for item in member_classes.create_default_classes(org, actor=actor):
            classes[(key, item.code)] = item
        for code in ("group", "group-b"):
            classes[(key, code)] = member_classes.create_member_class(org, actor=actor, code=code, name=f"团体会员{code}", kind="group", annual_dues="1000")
    w.class_ids = {"c_soc": classes[("soc", "full")].pk, "c_soc2": classes[("soc2", "full")].pk}

    people = {}
    for key, name in PEOPLE.items():
        people[key] = people_services.create_person(
            actor=platform, organization=w.soc, name=name, title_level="intermediate", birth_date=datetime.date(1985, 3, 9)
        )
    people_services.add_listing(people["r"], actor=platform, organization=w.soc2, role="expert")
    people["own"].user = w.worker
    people["own"].save(update_fields=["user"])
    w.people = {key: p.pk for key, p in people.items()}
    units = {
        i: Institution.objects.create(name=f"矩阵{'一二三四'[i]}号研究所", kind=InstitutionKind.RESEARCH_INSTITUTE, region=w.regions["320000"])
        for i in range(4)
    }

    def person_member(org_key, person_key, actor):
        org = w.societies[org_key]
        return applications.apply_for_membership(actor=actor, society=org, member_class=classes[(org_key, "full")], person=people[person_key])

    def group_member(org_key, unit, contact, rep):
        org = w.societies[org_key]
        return applications.apply_for_group_membership(
            actor=platform,
            society=org,
            member_class=classes[(org_key, "group")],
            unit=units[unit],
            contact_person=people[contact],
            representatives=[people[rep]],
        )

    def approved(m):
        for _step in range(len(m.member_class.approval_steps)):
            m = transitions.approve_membership(m, actor=platform)
        assert m.status == S.ACTIVE
        return m

    m = {}
    m["m_soc_own"] = person_member("soc", "own", w.worker)
    m["m_soc_a"] = approved(person_member("soc", "a", platform))
    dues.record_payment(m["m_soc_a"], actor=w.society_secretary, year=today.year, amount="100")
    m["m_soc2_own"] = approved(person_member("soc2", "own", w.worker))
    m["m_soc2_c"] = person_member("soc2", "c", platform)
    m["g_soc"] = approved(group_member("soc", 0, "a", "a"))
    m["g_soc2"] = approved(group_member("soc2", 1, "c", "c"))
    m["m_soc_susp"] = transitions.suspend_membership(approved(person_member("soc", "c", platform)), actor=platform, reason="矩阵")
    m["m_soc2_term"] = transitions.terminate_membership(approved(person_member("soc2", "a", platform)), actor=platform, reason="矩阵")
    m["g_soc_own"] = transitions.request_more_information(group_member("soc", 2, "own", "a"), actor=platform, reason="矩阵")
    m["g_soc2_own"] = approved(group_member("soc2", 3, "own", "c"))
    w.memberships = {key: item.pk for key, item in m.items()}

    w.documents = {}
    for key in ("m_soc_own", "m_soc2_c"):
        doc = MembershipDocument(membership=m[key], name="其他", original_name="doc.pdf", size=109, uploaded_by=platform)
        doc.file.save("doc.pdf", _pdf(), save=True)
        w.documents[f"d_{key[2:]}"] = doc.pk
    reported = dues.report_payment(m["m_soc2_own"], actor=w.worker, year=dues.next_year_due(m["m_soc2_own"]), reference="REF-OWN")
    a = Membership.objects.get(pk=m["m_soc_a"].pk)
    pending_a = DuesPayment.objects.create(
        society=w.soc,
        membership=a,
        year=dues.next_year_due(a),
        amount="100",
        paid_on=today,
        method="bank_transfer",
        reference="REF-A",
        status=PaymentStatus.PENDING,
        recorded_by=w.society_secretary,
    )
    w.payments = {"p_soc2_own": reported.pk, "p_soc_a": pending_a.pk}


def _build_world(w) -> None:
    _build(w)
    w.objects = sm.resolve_all(w, RESOLVE, OBJECTS)


@contextlib.contextmanager
def _media_and_gateway():
    """Uploaded documents in a folder of their own, and the sandbox gateway so that a member's
    online payment can succeed (offline, it is always a 400)."""
    media = tempfile.mkdtemp(prefix="kejia-scope-")
    try:
        with override_settings(
            STORAGES={**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media}}},
            PAYMENT_GATEWAY="sandbox",
        ):
            yield
    finally:
        shutil.rmtree(media, ignore_errors=True)


_world, db, world = sm.fixtures(_build_world, actors=ACTORS, around=_media_and_gateway)


# ---- Objects ----------------------------------------------------------------------------------


def membership(w, key) -> Membership:
    return Membership.objects.select_related("society", "member_class", "person", "unit", "contact_person").get(pk=w.memberships[key])


RESOLVE: dict[str, Callable] = {
    "m": membership,
    "group": membership,
    "doc": lambda w, key: MembershipDocument.objects.select_related("membership__society").get(pk=w.documents[key]),
    "pay": lambda w, key: DuesPayment.objects.select_related("membership__society", "society").get(pk=w.payments[key]),
    "class": lambda w, key: MemberClass.objects.select_related("society").get(pk=w.class_ids[key]),
    "soc": lambda w, key: Organization.objects.get(pk=w.societies[key].pk),
}
OBJECTS = {
    "m": MEMBERSHIPS,
    "group": GROUPS,
    "doc": ["d_soc_own", "d_soc2_c"],
    "pay": ["p_soc2_own", "p_soc_a"],
    "class": ["c_soc", "c_soc2"],
    "soc": ["soc", "soc2"],
}


def membership_of(obj) -> Membership | None:
    if isinstance(obj, Membership):
        return obj
    return getattr(obj, "membership", None)


def society_of(obj) -> Organization:
    if isinstance(obj, Organization):
        return obj
    if isinstance(obj, MemberClass):
        return obj.society
    return membership_of(obj).society


# ---- Who may do what: computed from paths, accounts and TRANSITIONS ---------------------------


def own(user, m: Membership | None) -> bool:
    return m is not None and (
        (m.person_id is not None and m.person.user_id == user.pk) or (m.contact_person_id is not None and m.contact_person.user_id == user.pk)
    )


def inside(user, obj) -> bool:
    return scope.can_view(user, society_of(obj)) or own(user, membership_of(obj))


def allows(transition: str) -> Callable:
    return lambda w, m: m.status in TRANSITIONS[transition][0]


def payable(w, m: Membership) -> bool:
    """Dues can be paid now: a paying state, a class with dues, the next year due not yet paid or reported."""

    def compute():
        year = dues.next_year_due(m)
        taken = DuesPayment.objects.filter(membership=m, year=year, status__in=[PaymentStatus.PENDING, PaymentStatus.CONFIRMED])
        return m.status in dues.PAYABLE_STATUSES and year is not None and not taken.exists()

    return sm.memo(w, "payable", m.pk, compute)


def readmittable(w, m: Membership) -> bool:
    """READMIT's start states, and no other live membership of the same member in the society."""

    def compute():
        member = {"person": m.person_id} if m.person_id else {"unit": m.unit_id}
        return not Membership.objects.filter(society=m.society, status__in=LIVE_STATUSES, **member).exclude(pk=m.pk).exists()

    return allows(Transition.READMIT)(w, m) and sm.memo(w, "readmittable", m.pk, compute)


def is_group(w, m: Membership) -> bool:
    return m.unit_id is not None


def always(w, obj) -> bool:
    return True


def staff(state: Callable = always, *, contact_may: bool = False) -> Callable:
    def rule(w, user, obj):
        if not inside(user, obj):
            return "outside"
        if not (scope.can_manage(user, society_of(obj)) or (contact_may and own(user, membership_of(obj)))):
            return "forbidden"
        return "ok" if state(w, obj) else "invalid"

    return rule


def member(state: Callable = always) -> Callable:
    def rule(w, user, obj):
        if not inside(user, obj):
            return "outside"
        if not own(user, membership_of(obj)):
            return "forbidden"
        return "ok" if state(w, obj) else "invalid"

    return rule


def view(state: Callable = always) -> Callable:
    def rule(w, user, obj):
        if not inside(user, obj):
            return "outside"
        return "ok" if state(w, obj) else "invalid"

    return rule


def public(w, user, obj) -> str:
    return "ok"


# ---- Request bodies ---------------------------------------------------------------------------


def other_class(w, m: Membership) -> int:
    """A class to transfer to: the other group class for a unit, the student class for a person."""

    def compute():
        qs = MemberClass.objects.filter(society=m.society).exclude(pk=m.member_class_id)
        return (qs.filter(kind="group").first() if m.unit_id else qs.get(code="student")).pk

    return sm.memo(w, "class", m.pk, compute)


def reachable_person(w, user) -> int:
    """A person the actor may name as a representative: the one listed by both societies, else their own."""

    def compute():
        try:
            return people_selectors.get_person_for(user, w.people["r"]).pk
        except NotFound:
            return w.people["own"]

    return sm.memo(w, "person", user.pk, compute)


def due_year(m: Membership) -> int:
    return dues.next_year_due(m) or timezone.localdate().year


def prefixed(key: str, data: dict) -> dict:
    return {f"{key}-{name}": value for name, value in data.items()}


def html_action_body(key: str) -> Callable:
    def body(w, user, m):
        today = timezone.localdate().isoformat()
        data = {
            "approve": {"note": ""},
            "reject": {"reason": "矩阵"},
            "ask_more": {"reason": "矩阵"},
            "transfer": lambda: {"member_class": other_class(w, m), "note": ""},
            "suspend": {"reason": "矩阵"},
            "reinstate": {"note": ""},
            "terminate": {"reason": "矩阵"},
            "readmit": {"note": ""},
            "record_payment": lambda: {
                "year": due_year(m),
                "amount": str(m.member_class.annual_dues),
                "paid_on": today,
                "method": "bank_transfer",
                "receipt_no": "",
                "reference": "",
            },
            "add_representative": lambda: {"person": reachable_person(w, user), "role": ""},
            "withdraw": {},
            "supply": {"statement": "补充"},
            "resign": {"reason": ""},
            "pay_online": {},
            "report_payment": lambda: {"year": due_year(m), "paid_on": today, "method": "bank_transfer", "reference": "REF-MATRIX"},
        }[key]
        return prefixed(key, data() if callable(data) else data)

    return body


def class_form(w, user, item: MemberClass) -> dict:
    data = {name: getattr(item, name) for name in member_classes.CLASS_FIELDS}
    data.update(
        eligibility_note="矩阵",
        required_documents="\n".join(item.required_documents),
        approval_steps="\n".join(item.approval_steps),
        min_title_level=item.min_title_level or "",
        min_years_in_field="" if item.min_years_in_field is None else item.min_years_in_field,
    )
    for flag in ("requires_student", "is_open"):
        data.pop(flag)
        if getattr(item, flag):
            data[flag] = "on"
    return data


def rules_form(w, user, org) -> dict:
    rules = workflow.rules_of(org)
    return {
        "number_format": rules.number_format,
        "next_seq": rules.next_seq,
        "grace_days": rules.grace_days + 1,
        "reminder_days": rules.reminder_days,
        "growth_bands": "\n".join(f"{a},{b}" for a, b in rules.growth_bands),
    }


NEW_CLASS = {"code": "matrix", "name": "矩阵会员", "kind": "full"}


# ---- The endpoints ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Endpoint(sm.Endpoint):
    action: str = ""  # memberships:act's action word
    multipart: bool = False

    @property
    def key(self) -> str:
        return f"{super().key} {self.action}".strip()

    def url(self, w, obj) -> str:
        if self.door == "api":
            path = self.route.split(" ", 1)[1].replace("{id}", str(obj.pk))
            if "{person_id}" in path:
                path = path.replace("{person_id}", str(obj.representatives.order_by("pk").first().person_id))
            return path
        if self.route == "memberships:act":
            return reverse(self.route, args=[obj.pk, self.action])
        if self.route == "memberships:document":
            return reverse(self.route, args=[obj.membership_id, obj.pk])
        if self.route == "memberships:representative_remove":
            return reverse(self.route, args=[obj.pk, obj.representatives.order_by("pk").first().pk])
        return reverse(self.route, args=[obj.pk])


def act(action: str, rule: Callable, audit: bool = True) -> Endpoint:
    key = action.replace("-", "_")
    return Endpoint("memberships:act", "POST", "m", rule, html_action_body(key), audit, action=action)


api, page = Endpoint.api, Endpoint.page


M = "/api/memberships/{id}"
ENDPOINTS = [
    # Pages: one membership, its document and card.
    page("memberships:detail", "GET", "m", view()),
    page("memberships:card", "GET", "m", view()),  # a page explaining why there is no card when not active: 200
    page("memberships:document", "GET", "doc", view()),
    # The named actions (views.ACTIONS), POST /memberships/<pk>/<action>/.
    act("approve", staff(allows(Transition.APPROVE))),
    act("reject", staff(allows(Transition.REJECT))),
    act("ask-more", staff(allows(Transition.ASK_MORE))),
    act("transfer", staff(allows(Transition.TRANSFER))),
    act("suspend", staff(allows(Transition.SUSPEND))),
    act("reinstate", staff(allows(Transition.REINSTATE))),
    act("terminate", staff(allows(Transition.TERMINATE))),
    act("readmit", staff(readmittable)),
    act("record-payment", staff(payable)),
    act("add-representative", staff(is_group)),
    act("withdraw", member(allows(Transition.WITHDRAW))),
    act("supply", member(allows(Transition.SUPPLY))),
    act("resign", member(allows(Transition.RESIGN))),
    act("pay-online", member(payable)),
    act("report-payment", member(payable)),
    page("memberships:representative_remove", "POST", "group", staff(), audit=True),
    page("memberships:payment_confirm", "POST", "pay", staff(), fixed({"receipt_no": ""}), True),
    page("memberships:payment_reject", "POST", "pay", staff(), fixed({"reason": "矩阵"}), True),
    # Pages: a society's members, classes, rules, figures; a class.
    page("memberships:members", "GET", "soc", view()),
    page("memberships:classes", "GET", "soc", staff()),
    page(
        "memberships:classes",
        "POST",
        "soc",
        staff(),
        fixed({**NEW_CLASS, "annual_dues": "0", "approval_steps": "秘书处审核", "sort": "0", "is_open": "on"}),
        True,
    ),
    page("memberships:classes_defaults", "POST", "soc", staff()),  # the defaults exist already: nothing to add, no audit row
    page("memberships:class_edit", "GET", "class", staff()),
    page("memberships:class_edit", "POST", "class", staff(), class_form, True),
    page("memberships:rules", "GET", "soc", staff()),
    page("memberships:rules", "POST", "soc", staff(), rules_form, True),
    page("memberships:society_stats", "GET", "soc", staff()),
    # Public pages: a society's face and the application forms (anyone may apply).
    page("memberships:society", "GET", "soc", public),
    page("memberships:apply", "GET", "soc", public),
    page("memberships:apply_group", "GET", "soc", public),
    # API: classes, rules, figures.
    api("GET /api/societies/{id}/member-classes", "soc", public),
    api("POST /api/societies/{id}/member-classes", "soc", staff(), fixed(NEW_CLASS), True),
    api("POST /api/societies/{id}/member-classes/defaults", "soc", staff()),
    api("PATCH /api/member-classes/{id}", "class", staff(), fixed({"eligibility_note": "矩阵"}), True),
    api("GET /api/societies/{id}/membership-rules", "soc", view()),
    api("PATCH /api/societies/{id}/membership-rules", "soc", staff(), fixed({"grace_days": 61}), True),
    api("GET /api/societies/{id}/membership-stats", "soc", staff()),
    # API: one membership.
    api(f"GET {M}", "m", view()),
    api(f"POST {M}/approve", "m", staff(allows(Transition.APPROVE)), fixed({"note": ""}), True),
    api(f"POST {M}/reject", "m", staff(allows(Transition.REJECT)), fixed({"reason": "矩阵"}), True),
    api(f"POST {M}/request-info", "m", staff(allows(Transition.ASK_MORE)), fixed({"reason": "矩阵"}), True),
    api(f"POST {M}/supply", "m", member(allows(Transition.SUPPLY)), fixed({"statement": "补充"}), True, multipart=True),
    api(f"POST {M}/withdraw", "m", member(allows(Transition.WITHDRAW)), audit=True),
    api(f"POST {M}/transfer", "m", staff(allows(Transition.TRANSFER)), lambda w, u, m: {"class_id": other_class(w, m)}, True),
    api(f"POST {M}/suspend", "m", staff(allows(Transition.SUSPEND)), fixed({"reason": "矩阵"}), True),
    api(f"POST {M}/reinstate", "m", staff(allows(Transition.REINSTATE)), fixed({"note": ""}), True),
    api(f"POST {M}/terminate", "m", staff(allows(Transition.TERMINATE)), fixed({"reason": "矩阵"}), True),
    api(f"POST {M}/resign", "m", member(allows(Transition.RESIGN)), fixed({"reason": ""}), True),
    api(f"POST {M}/readmit", "m", staff(readmittable), fixed({"note": ""}), True),
    # A unit's representatives: its staff or its contact person (the API's documented contract).
    api(f"POST {M}/representatives", "m", staff(is_group, contact_may=True), lambda w, u, m: {"person_id": reachable_person(w, u), "role": ""}, True),
    api(f"DELETE {M}/representatives/{{person_id}}", "group", staff(contact_may=True), audit=True),
    # API: dues and the certificate.
    api(f"GET {M}/payments", "m", view()),
    api(
        f"POST {M}/payments",
        "m",
        staff(payable),
        lambda w, u, m: {"year": due_year(m), "amount": str(m.member_class.annual_dues), "method": "bank_transfer"},
        True,
    ),
    api(f"POST {M}/payments/report", "m", member(payable), lambda w, u, m: {"year": due_year(m), "reference": "REF-MATRIX"}, True),
    api(f"POST {M}/payments/online", "m", member(payable), audit=True),
    api("POST /api/payments/{id}/confirm", "pay", staff(), fixed({"receipt_no": ""}), True),
    api("POST /api/payments/{id}/reject", "pay", staff(), fixed({"reason": "矩阵"}), True),
    api(f"GET {M}/certificate", "m", view(lambda w, m: m.status == S.ACTIVE)),
]
PUBLIC_KEYS = {e.key for e in ENDPOINTS if e.rule is public}

# Rows answered wrongly by the application, (actor, endpoint key, object) -> what. Such a row must
# still fail (a fix fails the case until its row is removed here); the other rows of its case are
# checked as usual, and the case then ends as an xfail naming the bug.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}
CASES = sm.cases(ACTORS, ENDPOINTS)
# Each rule answers outside | forbidden (in scope or own, not the role or not the member) | invalid (not in this state) | ok.


# ---- Sending and checking ---------------------------------------------------------------------


def database_state() -> tuple:
    """Everything a write of this app could change, in one query."""
    m, pay = sm.table(Membership), sm.table(DuesPayment)
    sql = sm.counts(AuditEvent, Notice, Membership, MembershipEvent, DuesPayment, GroupRepresentative, MembershipDocument, Certificate, MemberClass)
    sql += [
        f"SELECT MAX(updated_at) FROM {m}",
        f"SELECT COUNT(*) FROM {pay} WHERE status = 'pending'",
        f"SELECT COUNT(*) FROM {pay} WHERE status = 'confirmed'",
        f"SELECT MAX(updated_at) FROM {pay}",
    ]
    sql += [*sm.latest(MemberClass, MembershipRules), f"SELECT SUM(next_seq) FROM {sm.table(MembershipRules)}"]
    return sm.snapshot(sql)


def member_texts(obj) -> list[str]:
    """What a refusal must not show: the member's name and number."""
    m = membership_of(obj)
    if m is None:
        return []
    return [text for text in (m.member_name, m.number) if text]


def send(w, actor: str, endpoint: Endpoint, obj):
    return sm.send(w, actor, endpoint, obj, multipart=endpoint.multipart)


def check(w, actor: str, endpoint: Endpoint, key: str, expected: str) -> str | None:
    """One request in a savepoint of its own; what went wrong, or None. A refusal shows neither the
    member's name nor their number."""
    texts = member_texts(w.objects[(endpoint.target, key)])
    return sm.check(w, actor, endpoint, key, expected, state=database_state, texts=texts, send=send)


# ---- The matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("actor,endpoint", CASES)
def test_endpoint_answers_each_object_by_scope(world, actor, endpoint):
    """Every object of the endpoint, each in a savepoint: outside, forbidden, invalid or ok as the
    rule computes it."""
    sm.run_case(world, actor, endpoint, OBJECTS[endpoint.target], check, KNOWN_BUGS)


def test_matrix_has_allowed_and_outside_cases_for_every_endpoint(world):
    """The positive controls: every endpoint has an allowed and an outside case (public ones have
    no outside), and the 403 of "in scope, no staff role" and the 400/409 of a state are tried."""
    outcomes = sm.outcomes(world, ACTORS, ENDPOINTS, OBJECTS)
    for endpoint in ENDPOINTS:
        assert "ok" in outcomes[endpoint.key], f"no allowed case for {endpoint.key}"
        if endpoint.key not in PUBLIC_KEYS:
            assert "outside" in outcomes[endpoint.key], f"no outside case for {endpoint.key}"
    assert any("forbidden" in found for found in outcomes.values())
    assert any("invalid" in found for found in outcomes.values())


def test_matrix_covers_every_membership_route_and_action():
    """Each route the guard of the organizations matrix sends here, and each named action, is in
    ENDPOINTS."""
    mine = {route for route, module in OTHER_MATRICES.items() if module == THIS_MODULE}
    assert mine, "no route is registered against this matrix"
    assert mine <= {e.route for e in ENDPOINTS}, sorted(mine - {e.route for e in ENDPOINTS})
    tested = {e.action.replace("-", "_") for e in ENDPOINTS if e.route == "memberships:act"}
    assert set(views.ACTIONS) == tested


# ---- Lists show exactly the scope -----------------------------------------------------------------


def all_memberships(w) -> list[Membership]:
    return [w.objects[("m", key)] for key in MEMBERSHIPS]


@pytest.mark.parametrize("actor", ACTORS)
def test_member_lists_show_exactly_the_scope(world, actor):
    user = getattr(world, actor)
    expected = {m.pk for m in all_memberships(world) if scope.can_view(user, m.society)}
    data = sm.api_get(world, actor, "/api/memberships", limit=100)
    assert {row["id"] for row in data["items"]} == expected and data["count"] == len(expected)
    client = world.page_clients[actor]
    for key, org in world.societies.items():
        response = client.get(reverse("memberships:members", args=[org.pk]))
        if not scope.can_view(user, org):
            assert response.status_code == 404, key
            continue
        assert response.status_code == 200, key
        assert {m.pk for m in response.context["page"].object_list} == {m.pk for m in all_memberships(world) if m.pk in expected and m.society_id == org.pk}


@pytest.mark.parametrize("actor", ACTORS)
def test_mine_lists_exactly_ones_own(world, actor):
    user = getattr(world, actor)
    expected = {m.pk for m in all_memberships(world) if own(user, m)}
    assert {row["id"] for row in sm.api_get(world, actor, "/api/memberships/mine", limit=500)["items"]} == expected
    response = world.page_clients[actor].get(reverse("memberships:mine"))
    assert response.status_code == 200
    assert {row["m"].pk for row in response.context["rows"]} == expected
    hidden = {m.member_name for m in all_memberships(world) if not own(user, m)} - {m.member_name for m in all_memberships(world) if own(user, m)}
    assert not [name for name in hidden if name in response.content.decode()]


@pytest.mark.parametrize("actor", ACTORS)
def test_queues_show_only_managed_societies(world, actor):
    user = getattr(world, actor)
    waiting = {m.pk for m in all_memberships(world) if m.status in PENDING_STATUSES and scope.can_manage(user, m.society)}
    assert {row["id"] for row in sm.api_get(world, actor, "/api/memberships/queue", limit=100)["items"]} == waiting
    payments = {p.pk for p in DuesPayment.objects.filter(status=PaymentStatus.PENDING).select_related("society") if scope.can_manage(user, p.society)}
    assert {row["id"] for row in sm.api_get(world, actor, "/api/payments/pending", limit=100)["items"]} == payments
    client = world.page_clients[actor]
    for name, rows, expected in (
        ("memberships:queue", lambda r: {row["m"].pk for row in r.context["rows"]}, waiting),
        ("memberships:payments", lambda r: {p.pk for p in r.context["page"].object_list}, payments),
    ):
        response = client.get(reverse(name))
        if not any(scope.can_manage(user, org) for org in world.societies.values()):
            assert response.status_code == 403, name
            continue
        assert response.status_code == 200, name
        assert rows(response) == expected, name
