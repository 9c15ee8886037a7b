"""Member classes and membership rules are data a society's staff edit: validation naming the
field, history as audit events with only the changed fields, and who may edit."""

import pytest

from kejia.core.errors import DomainError, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent
from kejia.memberships import applications, member_classes, transitions, workflow
from kejia.memberships.models import MemberClass, MembershipRules

pytestmark = pytest.mark.django_db


def create(tree, actor=None, **data):
    data = {"code": "fellow", "name": "Fellow", "kind": "full", **data}
    return member_classes.create_member_class(tree.soc, actor=actor or tree.society_secretary, **data)


def test_create_default_classes_is_idempotent(tree, society):
    assert sorted(society.classes) == ["full", "senior", "student"]
    senior = society.classes["senior"]
    assert (senior.min_title_level, senior.min_years_in_field, len(senior.approval_steps)) == ("senior", 15, 3)
    assert society.classes["student"].requires_student and len(society.classes["student"].approval_steps) == 1
    member_classes.update_member_class(society.classes["full"], actor=tree.society_secretary, name="正会员")

    assert member_classes.create_default_classes(tree.soc, actor=tree.society_secretary) == []
    assert MemberClass.objects.filter(society=tree.soc).count() == 3
    assert MemberClass.objects.get(society=tree.soc, code="full").name == "正会员"  # an edit is not overwritten
    assert AuditEvent.objects.filter(action="member_class.created").count() == 3


def test_create_member_class_records_new_values(tree, society):
    item = create(tree, code=" Fellow_1 ", annual_dues="88.5", approval_steps="Check\n\n Council \n", required_documents=["CV"])
    assert (item.code, item.annual_dues, item.approval_steps) == ("fellow_1", 88.5, ["Check", "Council"])
    audit = AuditEvent.objects.get(action="member_class.created", object_id=str(item.pk))
    assert audit.actor == tree.society_secretary and audit.organization == tree.soc
    assert audit.new["code"] == "fellow_1" and audit.new["annual_dues"] == "88.50" and audit.old == {}


BAD_CLASS_VALUES = [
    ("code", "bad code"),
    ("code", ""),
    ("code", "x" * 25),
    ("code", "学会"),
    ("code", "full"),
    ("code", " FULL "),
    ("name", "  "),
    ("name", "x" * 65),
    ("kind", "bogus"),
    ("annual_dues", "-1"),
    ("annual_dues", "abc"),
    ("annual_dues", "NaN"),
    ("annual_dues", "Infinity"),
    ("annual_dues", "100000000"),
    ("approval_steps", []),
    ("approval_steps", ""),
    ("approval_steps", ["Check", "Check"]),
    ("approval_steps", 5),
    ("required_documents", ["x" * 65]),
    ("min_title_level", "professor"),
    ("min_years_in_field", "-1"),
    ("min_years_in_field", "ten"),
    ("sort", 81),
]


def test_create_member_class_refuses_bad_value(tree, society):
    # One test looping over the cases: each case needs only the validation, not a fresh federation.
    for field, value in BAD_CLASS_VALUES:
        with pytest.raises(ValidationFailed) as exc:
            create(tree, **{field: value})
        assert (list(exc.value.errors), exc.value.field) == ([field], field), (field, value)
    assert MemberClass.objects.filter(society=tree.soc).count() == 3
    assert not AuditEvent.objects.filter(action="member_class.created", new__code="fellow").exists()


def test_create_member_class_reports_every_bad_field(tree, society):
    with pytest.raises(ValidationFailed) as exc:
        create(tree, code="full", annual_dues="-5", approval_steps=[])
    assert set(exc.value.errors) == {"code", "annual_dues", "approval_steps"}


def test_create_member_class_refuses_unknown_field(tree, society):
    with pytest.raises(DomainError) as exc:
        create(tree, society_id=1)
    assert (exc.value.code, exc.value.field) == ("unknown_field", "society_id")


def test_update_member_class_records_only_changed_fields(tree, society):
    full = society.classes["full"]
    item = member_classes.update_member_class(
        full, actor=tree.society_secretary, name="普通会员", annual_dues="120", is_open=True, approval_steps=list(full.approval_steps), code="full"
    )
    assert (item.name, str(item.annual_dues)) == ("普通会员", "120.00")
    audit = AuditEvent.objects.get(action="member_class.updated")
    assert audit.old == {"name": full.name, "annual_dues": "100.00"}
    assert audit.new == {"name": "普通会员", "annual_dues": "120.00"}

    member_classes.update_member_class(item, actor=tree.society_secretary, name="普通会员", annual_dues="120.00")
    assert AuditEvent.objects.filter(action="member_class.updated").count() == 1  # nothing changed, nothing recorded


def test_update_member_class_refuses_duplicate_code(tree, society):
    with pytest.raises(ValidationFailed) as exc:
        member_classes.update_member_class(society.classes["student"], actor=tree.society_secretary, code="full")
    assert list(exc.value.errors) == ["code"]
    assert MemberClass.objects.get(pk=society.classes["student"].pk).code == "student"


def test_update_member_class_refuses_kind_switch_with_members(tree, society, applicant):
    full = society.classes["full"]
    applications.apply_for_membership(actor=tree.worker, society=tree.soc, member_class=full, person=applicant)
    with pytest.raises(ValidationFailed) as exc:
        member_classes.update_member_class(full, actor=tree.society_secretary, kind="group")
    assert list(exc.value.errors) == ["kind"]
    # Within persons the kind may change; a class without members may become a group class.
    assert member_classes.update_member_class(full, actor=tree.society_secretary, kind="senior").kind == "senior"
    assert member_classes.update_member_class(society.classes["student"], actor=tree.society_secretary, kind="group").for_groups


# ---- rules ------------------------------------------------------------------------------------

BAD_RULES_VALUES = [
    ("number_format", "{code}-{foo}-{seq}"),  # unknown token
    ("number_format", "{code}-{year}"),  # no {seq}
    ("number_format", "{seq}-{seq:03}"),  # two {seq}
    ("number_format", "{code} {seq}"),
    ("number_format", "会员{seq}"),
    ("number_format", "{code}#{seq}"),  # illegal characters
    ("number_format", ""),
    ("growth_bands", [[0, 10], [0, 5]]),
    ("growth_bands", [[0, 10], [1000, 5], [500, 3]]),  # sizes not rising
    ("growth_bands", [[100, 10]]),
    ("growth_bands", [[0, 101]]),
    ("growth_bands", []),
    ("growth_bands", "[[0, 10]]"),
    ("growth_bands", [[0, "ten"]]),
    ("growth_bands", [[0, 10, 1]]),
    ("grace_days", -1),
    ("grace_days", 3651),
    ("grace_days", "ninety"),
    ("grace_days", None),
    ("reminder_days", -1),
    ("next_seq", 0),
]


def test_update_membership_rules_refuses_bad_value(tree, society):
    before = MembershipRules.objects.filter(society=tree.soc).values().get()
    for field, value in BAD_RULES_VALUES:
        with pytest.raises(ValidationFailed) as exc:
            member_classes.update_membership_rules(tree.soc, actor=tree.society_secretary, **{field: value})
        assert (list(exc.value.errors), exc.value.field) == ([field], field), (field, value)
    assert MembershipRules.objects.filter(society=tree.soc).values().get() == before
    assert not AuditEvent.objects.filter(action="membership_rules.updated").exists()


def test_update_membership_rules_reports_every_bad_field(tree, society):
    with pytest.raises(ValidationFailed) as exc:
        member_classes.update_membership_rules(tree.soc, actor=tree.society_secretary, number_format="{code}", grace_days=-1, growth_bands=[[5, 1]])
    assert set(exc.value.errors) == {"number_format", "grace_days", "growth_bands"}


def test_update_membership_rules_records_only_changed_fields(tree, society):
    rules = member_classes.update_membership_rules(
        tree.soc, actor=tree.society_secretary, number_format=" {code}-{year}-{seq:05} ", grace_days="60", growth_bands=[[0, 12], ["500", 6]]
    )
    assert (rules.grace_days, rules.growth_bands) == (60, [[0, 12], [500, 6]])
    audit = AuditEvent.objects.get(action="membership_rules.updated")
    assert audit.old == {"grace_days": 90, "growth_bands": [[0, 10], [1000, 8], [3000, 5], [10000, 3]]}
    assert audit.new == {"grace_days": 60, "growth_bands": [[0, 12], [500, 6]]}
    assert audit.organization == tree.soc and audit.actor == tree.society_secretary


def test_update_membership_rules_refuses_unknown_field(tree, society):
    with pytest.raises(DomainError) as exc:
        member_classes.update_membership_rules(tree.soc, actor=tree.society_secretary, society_id=3)
    assert exc.value.code == "unknown_field"


# ---- who may edit -------------------------------------------------------------------------------


def edits(tree, society):
    return {
        "create_member_class": lambda actor: create(tree, actor=actor),
        "update_member_class": lambda actor: member_classes.update_member_class(society.classes["full"], actor=actor, annual_dues="150"),
        "update_membership_rules": lambda actor: member_classes.update_membership_rules(tree.soc, actor=actor, grace_days=30),
    }


def test_edit_member_classes_refused_outside_society_staff(tree, society):
    for name, edit in edits(tree, society).items():
        for outsider in (tree.county_staff, tree.sibling_staff, tree.wx_staff, tree.nj_admin, tree.worker):
            with pytest.raises(PermissionDenied):
                edit(outsider)
        assert not AuditEvent.objects.filter(action__in=["member_class.updated", "membership_rules.updated"]).exists(), name
    assert MemberClass.objects.filter(society=tree.soc).count() == 3
    assert workflow.rules_of(tree.soc).grace_days == 90


def test_edit_member_classes_allowed_to_staff_above(tree, society):
    for edit in edits(tree, society).values():
        edit(tree.province_staff)
    assert (
        AuditEvent.objects.filter(actor=tree.province_staff, action__in=["member_class.created", "member_class.updated", "membership_rules.updated"]).count()
        == 3
    )


def test_edit_member_classes_of_non_society_refused(tree):
    for org, actor in ((tree.nj, tree.nj_staff), (tree.soc_ai, tree.society_secretary), (tree.ent, tree.county_staff)):
        for call, data in (
            (member_classes.create_member_class, {"code": "x", "name": "X", "kind": "full"}),
            (member_classes.create_default_classes, {}),
            (member_classes.update_membership_rules, {"grace_days": 10}),
        ):
            with pytest.raises(DomainError) as exc:
                call(org, actor=actor, **data)
            assert exc.value.code == "not_a_society", (org.code, call.__name__)
    assert not MemberClass.objects.exists()


def test_approve_membership_number_fits_field_for_long_codes(tree, applicant):
    """A format too long for the society's own code is refused when set; a number that still
    comes out too long (a sequence past ten million) makes approval refuse with a clear error
    instead of writing it."""
    from kejia.organizations.services import create_organization

    org = create_organization(
        actor=tree.platform,
        parent=tree.nj,
        name="南京市人工智能与计算机应用学会",
        code="NJ-SOC-AI-COMPUTER-APPLICATIONS",
        kind="municipal_society",
        region=tree.regions["320100"],
    )
    with pytest.raises(ValidationFailed) as exc:
        member_classes.update_membership_rules(org, actor=tree.platform, number_format="{code}-{class}-{seq:05}")
    assert "number_format" in exc.value.errors
    member_classes.update_membership_rules(org, actor=tree.platform, number_format="{code}{seq}", next_seq=10**9)
    cls = member_classes.create_member_class(org, actor=tree.platform, code="professional-full-member", name="Full", kind="full", approval_steps=["Check"])
    applied = applications.apply_for_membership(actor=tree.worker, society=org, member_class=cls, person=applicant)
    with pytest.raises(DomainError) as refused:
        transitions.approve_membership(applied, actor=tree.platform)
    assert refused.value.code == "number_too_long"
    applied.refresh_from_db()
    assert applied.number == "" and applied.status == "applied"
