"""Scope matrix of home: every page route and API operation with an object id, for each actor
outside and inside scope. `MATRIX_ROUTES` names them for the route guard in
kejia/organizations/tests/test_scope_matrix.py.

The routes with an id are public faces of organizations, so "scope" here is the public rule:
every actor — anonymous, a S&T worker, staff of the organization, of a sibling, of a parent, a
society's secretary, the platform administrator — gets the same answer. An active organization: a
200 showing no data that is not public (its staff and their phones, people listed in it, its
credit code and staffing, draft and members-only events, questions not allowed to be published).
Dissolved, dormant or unknown: a 404 for everyone. Nothing is ever written (audit log, notices)."""

import pytest
from django.test import Client
from django.urls import reverse

from kejia.activities import services as activities
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing import scope_matrix as sm
from kejia.home.tests.conftest import make_event
from kejia.organizations.services import change_organization_status, update_organization
from kejia.people.services import create_person
from kejia.reference.models import Region
from kejia.voice.services import answer_item, send_item

MATRIX_ROUTES: list[str] = ["home:association", "GET /api/find/associations/{id}"]

ACTORS = ["anonymous", "worker", "county_staff", "sibling_staff", "nj_admin", "society_secretary", "platform"]
ACTIVE = ["js", "nj", "xw", "my", "qh", "wx", "lx", "soc", "soc_ai"]
NOT_PUBLIC = ["ent", "dormant_qh_child", "unknown"]
SECRETS = [
    "947312586",
    "51320000MJ5012345H",
    "矩阵私密人员",
    "13912349999",
    "13912340001",
    "xw_staff",
    "soc_staff",
    "矩阵草稿活动",
    "矩阵会员专场",
    "矩阵私密建议",
    "矩阵内部答复",
]


@pytest.fixture
def world(tree):
    from kejia.organizations.services import create_organization

    for key in ACTIVE:
        update_organization(getattr(tree, key), actor=tree.platform, fulltime_staff=947312586, party_coverage="joint")
    create_person(actor=tree.platform, organization=tree.xw, name="矩阵私密人员", phone="13912349999")
    for key in ("xw", "soc"):
        org = getattr(tree, key)
        make_event(tree, org, "矩阵草稿活动", publish=False)
        make_event(tree, org, "矩阵会员专场", audience="members", audience_organization=org)
        make_event(tree, org, "矩阵公开活动")
    item = send_item(actor=tree.worker, organization=tree.xw, kind="suggestion", title="矩阵私密建议", body="不公开。")
    answer_item(item, actor=tree.county_staff, text="矩阵内部答复")
    change_organization_status(tree.ent, actor=tree.platform, status="dissolved")
    township = Region.objects.filter(parent_id="320104").first()
    dormant = create_organization(actor=tree.platform, parent=tree.qh, name="矩阵休眠街道科协", code="QH-D", kind="township_assoc", region=township)
    change_organization_status(dormant, actor=tree.platform, status="dormant")
    tree.dormant_qh_child = dormant
    tree.anonymous = None
    return tree


def _id(w, key) -> int:
    return 987654321 if key == "unknown" else getattr(w, key).pk


def _written() -> tuple:
    return sm.snapshot(sm.counts(AuditEvent, Notice))


def _public_part(text: str) -> str:
    """The page's main content (the header names the signed-in actor themselves), or the JSON."""
    start, end = text.find("<main"), text.find("</main>")
    return text[start:end] if start >= 0 and end > start else text


def _doors(pk: int) -> list[tuple[str, str]]:
    return [("GET", reverse("home:association", args=[pk])), ("GET", f"/api/find/associations/{pk}"), ("POST", reverse("home:association", args=[pk]))]


@pytest.mark.parametrize("actor", ACTORS)
def test_public_pages_show_active_organizations_to_everyone_and_nothing_private(world, actor):
    client = sm.logged_in(getattr(world, actor))  # world.anonymous is None: no session
    before = _written()
    for key in ACTIVE + NOT_PUBLIC:
        for method, url in _doors(_id(world, key)):
            response = getattr(client, method.lower())(url)
            if method == "POST":
                assert response.status_code == 405, (actor, url)
                continue
            if key in NOT_PUBLIC:
                assert response.status_code == 404, (actor, url)
                assert getattr(world, key, None) is None or getattr(world, key).name not in response.content.decode()
                continue
            assert response.status_code == 200, (actor, url)
            text = _public_part(response.content.decode())
            leaked = [secret for secret in SECRETS if secret in text]
            assert not leaked, (actor, url, leaked)
    assert _written() == before


def test_public_page_controls_show_the_public_things(world):
    """The positive control of the matrix: the public event and the name are there."""
    html = Client().get(reverse("home:association", args=[world.xw.pk])).content.decode()
    assert world.xw.name in html and "矩阵公开活动" in html


def test_find_lists_no_dissolved_or_dormant_organization(world):
    for params in ({"region": "320102"}, {"region": "320104"}, {"region": "320000"}):
        for response in (Client().get(reverse("home:find"), params), Client().get("/api/find", params)):
            text = _public_part(response.content.decode())
            assert response.status_code == 200
            assert world.ent.name not in text and "矩阵休眠街道科协" not in text
            assert not [secret for secret in SECRETS if secret in text]


def test_draft_events_are_unreachable_from_public_pages(world):
    draft = make_event(world, world.xw, "矩阵另一草稿", publish=False)
    assert activities  # the activities services made the events above
    html = Client().get(reverse("home:association", args=[world.xw.pk])).content.decode()
    assert draft.get_absolute_url() not in html
