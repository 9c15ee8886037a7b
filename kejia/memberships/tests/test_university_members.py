"""University associations (高校科协) take individual members as societies do (002 §(9)); other
non-society kinds still do not."""

import pytest

from kejia.core.errors import DomainError
from kejia.memberships import applications, member_classes, selectors, transitions
from kejia.memberships.choices import MembershipStatus
from kejia.memberships.tests.conftest import make_person
from kejia.organizations.services import create_organization


@pytest.fixture
def university(tree):
    return create_organization(
        actor=tree.platform, parent=tree.xw, name="南京理工学院科学技术协会", code="XW-UNI", kind="university_assoc", region=tree.regions["320102"]
    )


def test_university_association_takes_individual_members(tree, university):
    classes = {c.code: c for c in member_classes.create_default_classes(university, actor=tree.county_staff)}
    person = make_person(tree, name="周学", user=tree.worker)
    membership = applications.apply_for_membership(actor=tree.worker, society=university, member_class=classes["full"], person=person)
    while membership.status != MembershipStatus.ACTIVE:
        membership = transitions.approve_membership(membership, actor=tree.county_staff)
    assert membership.number
    assert university in selectors.societies()
    assert selectors.get_managed_society(tree.county_staff, university.pk) == university


def test_enterprise_association_still_takes_no_members(tree):
    with pytest.raises(DomainError) as exc:
        member_classes.create_default_classes(tree.ent, actor=tree.county_staff)
    assert exc.value.code == "not_a_society"
