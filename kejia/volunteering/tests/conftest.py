"""Fixtures of the volunteering tests: teams under XW (a county), QH (its sibling), the society
SOC and its committee SOC-AI; people listed by them; the S&T worker `worker` (linked profile) a
member of the XW and SOC teams; a team leader with an account of their own and no staff role."""

import datetime
from types import SimpleNamespace

import pytest

from kejia.accounts.services import create_user


def make_person(tree, org, name, *, user=None):
    from kejia.people.services import create_person

    person = create_person(actor=tree.platform, organization=org, name=name, birth_date=datetime.date(1986, 4, 2))
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    return person


@pytest.fixture
def vol(tree):
    from kejia.volunteering import services

    p = tree.platform
    teams = SimpleNamespace(
        xw=services.create_team(tree.xw, actor=tree.county_staff, name="玄武区科普志愿服务队", code="XW-ZYD"),
        qh=services.create_team(tree.qh, actor=tree.sibling_staff, name="秦淮区科普志愿服务队", code="QH-ZYD"),
        soc=services.create_team(tree.soc, actor=tree.society_secretary, name="计算机学会科技志愿服务队", code="SOC-ZYD"),
        ai=services.create_team(tree.soc_ai, actor=tree.society_secretary, name="人工智能科技志愿服务队", code="SOC-AI-ZYD"),
    )
    leader_user = create_user(actor=p, username="team_leader", password=tree.password, display_name="队长", check_password=False)
    people = SimpleNamespace(
        worker=make_person(tree, tree.xw, "王志愿", user=tree.worker),
        leader=make_person(tree, tree.xw, "赵队长", user=leader_user),
        a=make_person(tree, tree.xw, "钱一"),
        b=make_person(tree, tree.qh, "孙二"),
        c=make_person(tree, tree.soc, "李三"),
    )
    joined = datetime.date(2025, 1, 1)
    members = SimpleNamespace(
        worker_xw=services.add_member(teams.xw, actor=p, person=people.worker, joined_on=joined),
        leader_xw=services.add_member(teams.xw, actor=p, person=people.leader, role="leader", joined_on=joined),
        a_xw=services.add_member(teams.xw, actor=p, person=people.a, joined_on=joined),
        b_qh=services.add_member(teams.qh, actor=p, person=people.b, joined_on=joined),
        worker_soc=services.add_member(teams.soc, actor=p, person=people.worker, joined_on=joined),
        c_soc=services.add_member(teams.soc, actor=p, person=people.c, role="leader", joined_on=joined),
        c_ai=services.add_member(teams.ai, actor=p, person=people.c, joined_on=joined),
    )
    return SimpleNamespace(teams=teams, people=people, members=members, leader_user=leader_user, joined=joined, day=datetime.date(2026, 3, 14))
