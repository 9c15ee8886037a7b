"""A review round run by the provincial association (JS) over three items from NJ, WX and XW,
with six reviewers of the talent database, each with an account."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from kejia.people.models import Achievement, Listing, Person
from kejia.review import services

DEADLINE = timezone.make_aware(datetime.datetime(2030, 6, 30, 18, 0))


def fixed_affinity(table=None):
    """A stand-in for kejia.search.affinity.score_pairs: the score from `table`, else a fixed
    function of the ids (deterministic)."""
    table = table or {}

    def score(texts, pairs):
        return {pair: table.get(pair, ((pair[0] * 7 + pair[1] * 3) % 11) / 10) for pair in pairs}

    return score


@pytest.fixture
def rw(tree):
    return build_round(tree)


def build_round(t):
    """The round, its items and reviewers over conftest's `tree` (also used by the browser tests)."""
    from kejia.accounts.services import create_user

    reviewers = []
    homes = [t.nj, t.wx, t.qh, t.lx, t.soc, t.my]
    for i, home in enumerate(homes):
        user = create_user(actor=t.platform, username=f"rev{i}", password=t.password, display_name=f"rev{i}", check_password=False)
        person = Person.objects.create(
            name=f"专家{i}", user=user, willing_to_review=True, employer_name=f"单位{i}", expertise="科协 改革 基层组织", research_summary="科技社团治理"
        )
        Listing.objects.create(person=person, organization=home, role="expert")
        reviewers.append(person)
    unwilling = Person.objects.create(name="不愿评审", willing_to_review=False)
    Listing.objects.create(person=unwilling, organization=t.wx, role="expert")
    round_ = services.create_round(t.js, actor=t.province_staff, title="试点项目评审", per_item=2, max_load=2, score_deadline=DEADLINE)
    items = [
        services.add_item(
            round_, actor=t.province_staff, ref="test.item:1", title="南京改革试点", text="基层组织建设 改革", applicant_name="南京市科协", applicant_org=t.nj
        ),
        services.add_item(
            round_, actor=t.province_staff, ref="test.item:2", title="无锡改革试点", text="科技社团 治理", applicant_name="无锡市科协", applicant_org=t.wx
        ),
        services.add_item(
            round_, actor=t.province_staff, ref="test.item:3", title="玄武改革试点", text="学会 服务", applicant_name="玄武区科协", applicant_org=t.xw
        ),
    ]
    return SimpleNamespace(t=t, owner=t.province_staff, round=round_, items=items, reviewers=reviewers, unwilling=unwilling, Achievement=Achievement)


def invite_all(rw, accept=True):
    for person in rw.reviewers:
        inv = services.invite(rw.round, person, actor=rw.owner)
        if accept:
            services.respond(inv, actor=person.user, accept=True)


def assigned(rw, affinity=None):
    invite_all(rw)
    return services.run_assignment(rw.round, actor=rw.owner, affinity=affinity or fixed_affinity())


def scoring_round(rw, affinity=None):
    assigned(rw, affinity)
    return services.start_scoring(rw.round, actor=rw.owner)


def full_scores(value=8):
    return {"innovation": value, "feasibility": value, "demonstration": value, "groundwork": value}
