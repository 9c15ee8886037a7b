"""The kinds the seeds name, the society class, and the county structure (独立建制, 党组,
分管/联系 leaders): each kept where it belongs and refused elsewhere, through the service, the
form page and the API."""

import pytest
from django.urls import reverse

from kejia.core.errors import ValidationFailed
from kejia.core.models import AuditEvent
from kejia.organizations import services
from kejia.organizations.kinds import KIND_SOURCES, OrgKind
from kejia.organizations.tests.test_api import Api

SEED_KINDS = [
    "enterprise_union",
    "university_alliance",
    "rural_tech_federation",
    "science_courtyard",
    "community_academy",
    "maker_home",
    "agri_expert_station",
    "academician_workstation",
    "overseas_talent_base",
]


@pytest.mark.parametrize("kind", SEED_KINDS)
def test_create_organization_of_each_kind_the_seeds_name(tree, kind):
    org = services.create_organization(
        actor=tree.county_staff, parent=tree.xw, name=f"{kind} 试点", code=f"XW-{kind}"[:32], kind=kind, region=tree.regions["320102"]
    )
    assert org.get_kind_display() != kind
    assert kind in KIND_SOURCES


def test_update_organization_records_county_structure(tree):
    org = services.update_organization(
        tree.xw, actor=tree.county_staff, is_independent_unit=True, has_party_group=False, leader_in_charge="县委副书记", leader_in_contact="副县长"
    )
    org.refresh_from_db()
    assert (org.is_independent_unit, org.has_party_group, org.leader_in_charge, org.leader_in_contact) == (True, False, "县委副书记", "副县长")
    event = AuditEvent.objects.filter(action="organization.updated", object_id=str(org.pk)).latest("id")
    assert event.new["is_independent_unit"] is True and event.new["leader_in_contact"] == "副县长"


def test_update_organization_refuses_county_structure_on_other_kinds(tree):
    with pytest.raises(ValidationFailed) as exc:
        services.update_organization(tree.my, actor=tree.county_staff, has_party_group=True, leader_in_charge="某某")
    assert set(exc.value.errors) == {"has_party_group", "leader_in_charge"}


def test_update_organization_society_class_only_for_societies(tree):
    org = services.update_organization(tree.soc, actor=tree.platform, society_class="demonstration")
    assert org.society_class == "demonstration"
    with pytest.raises(ValidationFailed) as exc:
        services.update_organization(tree.xw, actor=tree.platform, society_class="featured")
    assert "society_class" in exc.value.errors


def test_api_patch_county_structure_and_clear(tree):
    api = Api(tree, tree.county_staff)
    url = f"/api/orgs/{tree.xw.pk}"
    data = api.patch(url, {"is_independent_unit": True, "has_party_group": True, "leader_in_charge": "县委常委"}).json()
    assert (data["is_independent_unit"], data["has_party_group"], data["leader_in_charge"]) == (True, True, "县委常委")
    data = api.patch(url, {"has_party_group": None}).json()
    assert data["has_party_group"] is None and data["is_independent_unit"] is True
    response = api.patch(f"/api/orgs/{tree.my.pk}", {"has_party_group": True})
    assert response.status_code == 400 and "has_party_group" in response.text


def test_detail_page_shows_county_structure(tree, client):
    services.update_organization(tree.xw, actor=tree.county_staff, is_independent_unit=False, leader_in_contact="副县长")
    client.force_login(tree.county_staff)
    page = client.get(reverse("organizations:detail", args=[tree.xw.pk])).content.decode()
    assert "副县长" in page
    assert reverse("grassroots:area", args=[tree.xw.pk]) in page
    assert OrgKind.ENTERPRISE_UNION.label
