"""The ledger of hours: one per person across all teams and societies; subtree totals by the path
of the team's organization (a sibling's hours never counted), one statement on either database."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kejia.volunteering import records, selectors


def give(tree, vol, team, actor, rows, *, served=10, date=None):
    return records.record_service(team, actor=actor, date=date or vol.day, address="现场", participants=rows, people_served=served)


def test_hours_of_person_sums_two_teams_in_two_societies(tree, vol):
    give(tree, vol, vol.teams.soc, tree.society_secretary, [(vol.people.c, "2.25")])
    give(tree, vol, vol.teams.ai, tree.society_secretary, [(vol.people.c, "1.5")], date=vol.day - datetime.timedelta(days=1))
    give(tree, vol, vol.teams.xw, tree.county_staff, [(vol.people.worker, "3")])
    give(tree, vol, vol.teams.soc, tree.society_secretary, [(vol.people.worker, "4.5")])
    reported = give(tree, vol, vol.teams.xw, tree.worker, [(vol.people.worker, "8")], date=vol.day - datetime.timedelta(days=3))
    assert selectors.hours_of_person(vol.people.c) == Decimal("3.75")
    assert selectors.hours_of_person(vol.people.worker) == Decimal("7.50")  # the reported 8 hours wait
    services = list(selectors.services_of_person(vol.people.worker))
    assert [(s.team_id, s.my_hours) for s in services] == [(vol.teams.soc.pk, Decimal("4.50")), (vol.teams.xw.pk, Decimal("3.00"))]
    assert reported.pk not in {s.pk for s in services}


def test_person_ledger_hides_services_of_teams_outside_the_viewer_scope(tree, vol):
    give(tree, vol, vol.teams.xw, tree.county_staff, [(vol.people.worker, "3")])
    give(tree, vol, vol.teams.soc, tree.society_secretary, [(vol.people.worker, "4.5")])
    own = selectors.person_ledger(tree.worker, vol.people.worker)
    assert (own.total, own.services, len(own.shown), own.hidden) == (Decimal("7.50"), 2, 2, 0)
    staff = selectors.person_ledger(tree.county_staff, vol.people.worker)
    assert (staff.total, len(staff.shown), staff.hidden) == (Decimal("7.50"), 1, 1)
    assert [r["visible"] for r in sorted(staff.by_team, key=lambda r: r["team_id"])] == [True, False]


def test_subtree_totals_count_the_subtree_and_never_a_sibling(tree, vol):
    give(tree, vol, vol.teams.xw, tree.county_staff, [(vol.people.worker, "3"), (vol.people.a, "2")], served=100)
    give(tree, vol, vol.teams.qh, tree.sibling_staff, [(vol.people.b, "6")], served=40)
    give(tree, vol, vol.teams.soc, tree.society_secretary, [(vol.people.worker, "4"), (vol.people.c, "1")], served=7)
    give(tree, vol, vol.teams.ai, tree.society_secretary, [(vol.people.c, "2")], served=3, date=vol.day - datetime.timedelta(days=1))
    xw = selectors.subtree_totals(tree.xw)
    assert (xw.teams, xw.services, xw.hours, xw.people_served, xw.volunteers) == (1, 1, Decimal("5.00"), 100, 2)
    qh = selectors.subtree_totals(tree.qh)
    assert (qh.services, qh.hours, qh.volunteers) == (1, Decimal("6.00"), 1)
    soc = selectors.subtree_totals(tree.soc)
    assert (soc.teams, soc.services, soc.hours, soc.people_served, soc.volunteers) == (2, 2, Decimal("7.00"), 10, 2)
    js = selectors.subtree_totals(tree.js)
    assert (js.teams, js.services, js.hours, js.people_served, js.volunteers) == (4, 4, Decimal("18.00"), 150, 4)
    assert selectors.subtree_totals(tree.wx).services == 0


def test_child_breakdown_is_one_statement_per_child_prefix(tree, vol):
    give(tree, vol, vol.teams.xw, tree.county_staff, [(vol.people.worker, "3")])
    give(tree, vol, vol.teams.qh, tree.sibling_staff, [(vol.people.b, "6")])
    give(tree, vol, vol.teams.soc, tree.society_secretary, [(vol.people.worker, "4")])
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.child_breakdown(tree.nj)
    assert len(queries) == 2  # the grouped statement, and the children's names
    assert {r.org.code: (r.teams, r.services, r.hours) for r in rows} == {"XW": (1, 1, Decimal("3.00")), "QH": (1, 1, Decimal("6.00"))}
    js = {r.org.code: (r.hours, r.volunteers) for r in selectors.child_breakdown(tree.js)}
    assert js == {"NJ": (Decimal("9.00"), 2), "SOC": (Decimal("4.00"), 1)}
    team_rows = selectors.child_breakdown(vol.teams.xw)
    assert [(r.org.pk, r.hours) for r in team_rows] == [(vol.teams.xw.pk, Decimal("3.00"))]


def test_subtree_totals_filter_by_period(tree, vol):
    give(tree, vol, vol.teams.xw, tree.county_staff, [(vol.people.worker, "3")], date=datetime.date(2025, 6, 1))
    give(tree, vol, vol.teams.xw, tree.county_staff, [(vol.people.worker, "2")], date=datetime.date(2026, 2, 1))
    assert selectors.subtree_totals(tree.xw, since=datetime.date(2026, 1, 1)).hours == Decimal("2.00")
    assert selectors.subtree_totals(tree.xw, until=datetime.date(2025, 12, 31)).hours == Decimal("3.00")
