"""Volunteer service writes: teams and members, every demand transition (and the illegal ones),
services with hours (validation, confirmation, rejection, correction), each audited."""

import datetime
from decimal import Decimal

import pytest

from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing import worlds
from kejia.people.models import Listing
from kejia.volunteering import records, selectors, services
from kejia.volunteering.choices import DemandStatus, ServiceStatus
from kejia.volunteering.models import ServiceHours, TeamMember
from kejia.volunteering.tests.conftest import make_person

# conftest's tree built once for the module; each test runs in a savepoint (kejia/core/testing/worlds.py).
_world, db, tree = worlds.shared_tree()


def events(action):
    return AuditEvent.objects.filter(action=action).count()


def demand_of(tree, vol, org=None, **kw):
    data = {"title": "防诈骗科普讲座", "address": "梅园新村社区活动室", "wanted_from": vol.day, "people_needed": 3, **kw}
    return services.post_demand(org or tree.my, actor=tree.county_staff, **data)


# ---- Teams and members ------------------------------------------------------------------------


def test_create_team_makes_a_volunteer_team_organization(tree, vol):
    team = vol.teams.xw
    assert (team.kind, team.parent_id, team.region_id) == ("volunteer_team", tree.xw.pk, tree.xw.region_id)
    assert team.path.startswith(tree.xw.path)


def test_create_team_refused_to_sibling_staff_and_under_a_team(tree, vol):
    with pytest.raises(PermissionDenied):
        services.create_team(tree.xw, actor=tree.sibling_staff, name="x", code="X-1")
    with pytest.raises(DomainError) as exc:
        services.create_team(vol.teams.xw, actor=tree.county_staff, name="x", code="X-2")
    assert exc.value.code == "team_under_team"


def test_add_member_lists_the_person_as_volunteer_and_notifies(tree, vol):
    person = make_person(tree, tree.xw, "周四", user=None)
    member = services.add_member(vol.teams.xw, actor=tree.county_staff, person=person)
    assert member.role == "member" and member.left_on is None
    assert Listing.objects.filter(person=person, organization=vol.teams.xw, role="volunteer").exists()
    assert AuditEvent.objects.filter(action="team_member.added", object_id=str(member.pk)).exists()
    assert Notice.objects.filter(kind="volunteering.member_added", user=tree.worker).exists()  # the fixture's worker joined


def test_add_member_twice_is_refused_but_again_after_leaving(tree, vol):
    with pytest.raises(DomainError) as exc:
        services.add_member(vol.teams.xw, actor=tree.county_staff, person=vol.people.a)
    assert (exc.value.code, exc.value.field) == ("already_member", "person")
    services.remove_member(vol.members.a_xw, actor=tree.county_staff, left_on=datetime.date(2026, 1, 1))
    again = services.add_member(vol.teams.xw, actor=tree.county_staff, person=vol.people.a)
    assert TeamMember.objects.filter(team=vol.teams.xw, person=vol.people.a).count() == 2 and again.left_on is None


def test_add_member_refused_to_leader_without_staff_role(tree, vol):
    with pytest.raises(PermissionDenied):
        services.add_member(vol.teams.xw, actor=vol.leader_user, person=vol.people.b)


def test_remove_member_twice_is_an_illegal_transition(tree, vol):
    services.remove_member(vol.members.a_xw, actor=tree.county_staff)
    with pytest.raises(IllegalTransition):
        services.remove_member(vol.members.a_xw, actor=tree.county_staff)
    with pytest.raises(IllegalTransition):
        services.change_member_role(vol.members.a_xw, actor=tree.county_staff, role="leader")


def test_remove_member_before_joining_is_refused(tree, vol):
    with pytest.raises(DomainError) as exc:
        services.remove_member(vol.members.a_xw, actor=tree.county_staff, left_on="2024-12-31")
    assert exc.value.field == "left_on"


def test_change_member_role_audits_old_and_new(tree, vol):
    services.change_member_role(vol.members.a_xw, actor=tree.county_staff, role="leader")
    event = AuditEvent.objects.get(action="team_member.role_changed")
    assert (event.old, event.new) == ({"role": "member"}, {"role": "leader"})


# ---- Demands: each transition ------------------------------------------------------------------


def test_post_demand_reaches_the_county_subtree(tree, vol):
    demand = demand_of(tree, vol)
    assert (demand.status, demand.reach_path, demand.region_id) == ("open", tree.xw.path, tree.my.region_id)
    assert events("demand.posted") == 1


def test_post_demand_refused_to_a_society_and_to_sibling_staff(tree, vol):
    with pytest.raises(DomainError) as exc:
        services.post_demand(tree.soc, actor=tree.society_secretary, title="x", address="y", wanted_from=vol.day)
    assert exc.value.code == "not_grassroots"
    with pytest.raises(PermissionDenied):
        services.post_demand(tree.my, actor=tree.sibling_staff, title="x", address="y", wanted_from=vol.day)


def test_post_demand_names_every_bad_field(tree, vol):
    with pytest.raises(ValidationFailed) as exc:
        services.post_demand(tree.my, actor=tree.county_staff, title="", address="", wanted_from="2026-13-01", people_needed=0)
    assert set(exc.value.errors) == {"title", "address", "wanted_from", "people_needed"}
    with pytest.raises(ValidationFailed) as exc:
        services.post_demand(
            tree.my,
            actor=tree.county_staff,
            title="t",
            address="a",
            wanted_from=vol.day,
            wanted_until=vol.day - datetime.timedelta(days=1),
            region=tree.regions["320200"],
        )
    assert set(exc.value.errors) == {"wanted_until", "region"}


def test_take_demand_by_the_county_team_leader_notifies_the_poster(tree, vol):
    demand = services.take_demand(demand_of(tree, vol), actor=vol.leader_user, team=vol.teams.xw)
    assert (demand.status, demand.team_id) == ("taken", vol.teams.xw.pk)
    assert Notice.objects.filter(kind="volunteering.demand_taken", user=tree.county_staff).exists()
    assert AuditEvent.objects.get(action="demand.taken").new == {"status": "taken", "team": vol.teams.xw.pk}


def test_take_demand_by_a_team_of_another_county_is_refused(tree, vol):
    with pytest.raises(DomainError) as exc:
        services.take_demand(demand_of(tree, vol), actor=tree.sibling_staff, team=vol.teams.qh)
    assert (exc.value.code, exc.value.field) == ("out_of_reach", "team")


def test_take_demand_society_team_only_by_staff_covering_both(tree, vol):
    demand = demand_of(tree, vol)
    with pytest.raises(DomainError):  # the society's staff do not cover the township
        services.take_demand(demand, actor=tree.society_secretary, team=vol.teams.soc)
    taken = services.take_demand(demand, actor=tree.province_staff, team=vol.teams.soc)
    assert taken.team_id == vol.teams.soc.pk


def test_take_demand_refused_to_a_plain_member(tree, vol):
    with pytest.raises(PermissionDenied):
        services.take_demand(demand_of(tree, vol), actor=tree.worker, team=vol.teams.xw)


def test_take_demand_twice_is_an_illegal_transition(tree, vol):
    demand = services.take_demand(demand_of(tree, vol), actor=tree.county_staff, team=vol.teams.xw)
    with pytest.raises(IllegalTransition) as exc:
        services.take_demand(demand, actor=tree.county_staff, team=vol.teams.xw)
    assert exc.value.status == 409


def test_withdraw_demand_opens_it_again(tree, vol):
    demand = services.take_demand(demand_of(tree, vol), actor=vol.leader_user, team=vol.teams.xw)
    demand = services.withdraw_demand(demand, actor=vol.leader_user, reason="人手不足")
    assert (demand.status, demand.team_id) == ("open", None)
    assert Notice.objects.filter(kind="volunteering.demand_withdrawn").exists()
    with pytest.raises(IllegalTransition):
        services.withdraw_demand(demand, actor=vol.leader_user)


def test_withdraw_demand_refused_to_the_poster_who_is_not_the_team(tree, vol):
    demand = services.take_demand(demand_of(tree, vol), actor=tree.province_staff, team=vol.teams.soc)
    with pytest.raises(PermissionDenied):
        services.withdraw_demand(demand, actor=tree.county_staff)


def test_complete_demand_by_the_poster_or_the_team(tree, vol):
    first = services.take_demand(demand_of(tree, vol), actor=tree.county_staff, team=vol.teams.xw)
    assert services.complete_demand(first, actor=vol.leader_user).status == "done"
    second = services.take_demand(demand_of(tree, vol), actor=tree.county_staff, team=vol.teams.xw)
    assert services.complete_demand(second, actor=tree.county_staff).status == "done"
    with pytest.raises(IllegalTransition):
        services.complete_demand(second, actor=tree.county_staff)
    with pytest.raises(IllegalTransition):
        services.complete_demand(demand_of(tree, vol), actor=tree.county_staff)  # open


def test_complete_demand_refused_to_a_member(tree, vol):
    demand = services.take_demand(demand_of(tree, vol), actor=tree.county_staff, team=vol.teams.xw)
    with pytest.raises(PermissionDenied):
        services.complete_demand(demand, actor=tree.worker)


def test_cancel_demand_open_or_taken_tells_the_team(tree, vol):
    assert services.cancel_demand(demand_of(tree, vol), actor=tree.county_staff).status == "cancelled"
    demand = services.take_demand(demand_of(tree, vol), actor=vol.leader_user, team=vol.teams.xw)
    demand = services.cancel_demand(demand, actor=tree.county_staff, reason="场地调整")
    assert (demand.status, demand.close_reason) == ("cancelled", "场地调整")
    assert Notice.objects.filter(kind="volunteering.demand_cancelled", user=vol.leader_user).exists()
    for action in (services.cancel_demand, services.complete_demand, services.withdraw_demand):
        with pytest.raises(IllegalTransition):
            action(demand, actor=tree.county_staff)
    with pytest.raises(IllegalTransition):
        services.take_demand(demand, actor=tree.county_staff, team=vol.teams.xw)


def test_cancel_demand_refused_to_the_team_leader(tree, vol):
    demand = services.take_demand(demand_of(tree, vol), actor=vol.leader_user, team=vol.teams.xw)
    with pytest.raises(PermissionDenied):
        services.cancel_demand(demand, actor=vol.leader_user)
    assert selectors.get_demand_for(tree.county_staff, demand.pk).status == DemandStatus.TAKEN


# ---- Services and hours --------------------------------------------------------------------------


def record(tree, vol, *, actor=None, team=None, participants=None, date=None, **kw):
    if participants is None:
        participants = [(vol.people.worker, "3.5"), (vol.people.a, 2)]
    return records.record_service(
        team or vol.teams.xw, actor=actor or tree.county_staff, date=date or vol.day, address="梅园小学", participants=participants, people_served=80, **kw
    )


def test_record_service_by_staff_is_confirmed_and_tells_participants(tree, vol):
    r = record(tree, vol)
    assert r.status == ServiceStatus.CONFIRMED and r.confirmed_by == tree.county_staff
    assert dict(r.hours.values_list("person_id", "hours")) == {vol.people.worker.pk: Decimal("3.50"), vol.people.a.pk: Decimal("2.00")}
    assert Notice.objects.filter(kind="volunteering.hours_confirmed", user=tree.worker).exists()
    assert AuditEvent.objects.get(action="service.recorded").new["hours"] == {str(vol.people.worker.pk): "3.50", str(vol.people.a.pk): "2.00"}


def test_record_service_by_a_member_waits_for_the_leader(tree, vol):
    r = record(tree, vol, actor=tree.worker)
    assert r.status == ServiceStatus.REPORTED
    assert Notice.objects.filter(kind="volunteering.service_reported", user=vol.leader_user).exists()
    assert selectors.hours_of_person(vol.people.worker) == Decimal("0")
    records.confirm_service(r, actor=vol.leader_user)
    assert selectors.hours_of_person(vol.people.worker) == Decimal("3.50")
    with pytest.raises(IllegalTransition):
        records.confirm_service(r, actor=vol.leader_user)
    with pytest.raises(IllegalTransition):
        records.reject_service(r, actor=vol.leader_user, reason="x")


def test_confirm_service_refused_to_the_member_who_reported(tree, vol):
    r = record(tree, vol, actor=tree.worker)
    with pytest.raises(PermissionDenied):
        records.confirm_service(r, actor=tree.worker)


def test_record_service_refused_outside_the_team(tree, vol):
    with pytest.raises(PermissionDenied):
        record(tree, vol, actor=tree.sibling_staff)


def test_reject_service_needs_a_reason_and_tells_the_reporter(tree, vol):
    r = record(tree, vol, actor=tree.worker)
    with pytest.raises(DomainError) as exc:
        records.reject_service(r, actor=vol.leader_user, reason=" ")
    assert exc.value.field == "reason"
    r = records.reject_service(r, actor=vol.leader_user, reason="当天未开展")
    assert r.status == "rejected" and Notice.objects.filter(kind="volunteering.service_rejected", user=tree.worker).exists()
    with pytest.raises(IllegalTransition):
        records.correct_service(r, actor=vol.leader_user, reason="x", people_served=3)


@pytest.mark.parametrize(
    "hours,message",
    [
        ("0", "必须大于 0"),
        ("-2", "必须大于 0"),
        ("24.5", "每天最多 24 小时"),
        ("abc", "请用数字填写"),
        ("1.234", "两位小数"),
        ("NaN", "请用数字填写"),
    ],
)
def test_record_service_refuses_implausible_hours_naming_the_row(tree, vol, hours, message):
    with pytest.raises(ValidationFailed) as exc:
        record(tree, vol, participants=[(vol.people.worker, "2"), (vol.people.a, hours)])
    (problem,) = exc.value.errors["hours"]
    assert problem.startswith("第 2 行：") and message in problem


def test_record_service_refuses_more_than_24_hours_a_day_across_teams(tree, vol):
    record(tree, vol, participants=[(vol.people.worker, "20")])
    with pytest.raises(ValidationFailed) as exc:
        record(tree, vol, team=vol.teams.soc, actor=tree.society_secretary, participants=[(vol.people.worker, "5")])
    assert "王志愿" in exc.value.errors["hours"][0] and "24" in exc.value.errors["hours"][0]
    ok = record(tree, vol, team=vol.teams.soc, actor=tree.society_secretary, participants=[(vol.people.worker, "4")])
    assert ok.pk


def test_record_service_refuses_non_members_duplicates_and_nobody(tree, vol):
    with pytest.raises(ValidationFailed) as exc:
        record(tree, vol, participants=[(vol.people.b, "2"), (vol.people.a, "1"), (vol.people.a, "1")])
    assert [m[:6] for m in exc.value.errors["hours"]] == ["第 3 行：", "第 1 行："]
    with pytest.raises(ValidationFailed):
        record(tree, vol, participants=[])
    assert not ServiceHours.objects.exists()


def test_record_service_refuses_a_member_before_joining_or_after_leaving(tree, vol):
    services.remove_member(vol.members.a_xw, actor=tree.county_staff, left_on=datetime.date(2026, 1, 31))
    with pytest.raises(ValidationFailed):
        record(tree, vol, participants=[(vol.people.a, "2")])
    with pytest.raises(ValidationFailed):
        record(tree, vol, participants=[(vol.people.worker, "2")], date=datetime.date(2024, 12, 31))
    assert record(tree, vol, participants=[(vol.people.a, "2")], date=datetime.date(2026, 1, 31)).pk


def test_record_service_refuses_future_date_and_bad_fields(tree, vol):
    with pytest.raises(ValidationFailed) as exc:
        records.record_service(
            vol.teams.xw,
            actor=tree.county_staff,
            date=datetime.date.today() + datetime.timedelta(days=2),
            address="",
            people_served=-1,
            participants=[(vol.people.a, "2")],
        )
    assert set(exc.value.errors) == {"date", "address", "people_served"}


def test_record_service_for_a_demand_the_team_took(tree, vol):
    demand = demand_of(tree, vol)
    with pytest.raises(ValidationFailed) as exc:
        record(tree, vol, demand=demand)
    assert "demand" in exc.value.errors
    services.take_demand(demand, actor=tree.county_staff, team=vol.teams.xw)
    assert record(tree, vol, demand=demand).demand_id == demand.pk


def test_correct_service_is_a_new_audited_change(tree, vol):
    r = record(tree, vol)
    r = records.correct_service(
        r, actor=vol.leader_user, reason="工时填错", people_served=95, participants=[(vol.people.worker, "3"), (vol.people.leader, "1")]
    )
    assert r.status == "confirmed" and r.people_served == 95
    assert dict(r.hours.values_list("person_id", "hours")) == {vol.people.worker.pk: Decimal("3.00"), vol.people.leader.pk: Decimal("1.00")}
    event = AuditEvent.objects.get(action="service.corrected")
    assert event.old["people_served"] == 80 and event.new["people_served"] == 95 and event.new["reason"] == "工时填错"
    assert selectors.hours_of_person(vol.people.worker) == Decimal("3.00")


def test_correct_service_needs_a_reason_and_a_change(tree, vol):
    r = record(tree, vol)
    with pytest.raises(DomainError):
        records.correct_service(r, actor=vol.leader_user, reason="", people_served=1)
    with pytest.raises(DomainError) as exc:
        records.correct_service(r, actor=vol.leader_user, reason="x", people_served=80)
    assert exc.value.code == "no_change"
    with pytest.raises(PermissionDenied):
        records.correct_service(r, actor=tree.worker, reason="x", people_served=1)
