"""`seed_demo --seed N` builds a whole small province (organizations, people, memberships,
governance, activities, volunteering, voice, surveys) for any seed, not only the default one."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from kejia.accounts.models import Role, RoleKind
from kejia.demo import seeding as demo
from kejia.demo.voice import seed_voice
from kejia.organizations.kinds import OrgStatus
from kejia.organizations.models import Organization
from kejia.voice.models import Item


class _Undo(Exception):
    pass


@pytest.mark.parametrize("seed", [1, 5, 42])
def test_seed_demo_builds_for_any_seed(reference, seed):
    out = io.StringIO()
    try:
        with transaction.atomic():
            call_command("seed_demo", seed=seed, orgs=200, people=150, stdout=out)
            assert Organization.objects.exclude(kind="national_assoc").count() == 200  # and the national association running the demo calls
            assert Item.objects.exists(), out.getvalue()
            # Societies carry their class and counties their structure (drawn without random numbers).
            assert Organization.objects.filter(society_class="demonstration").exists()
            assert Organization.objects.filter(kind="county_assoc", is_independent_unit=True, has_party_group=True).exists()
            raise _Undo
    except _Undo:
        pass


def test_seed_voice_with_a_staffed_organization_inactive_with_its_subtree(reference):
    """What some seeds draw: the demo staff's organization, and everything below it, not active.
    The voice demo then had nothing to choose from below it and crashed."""
    demo.seed_demo(seed=3, orgs=200)
    org = Role.objects.filter(kind=RoleKind.STAFF, organization__depth__gt=0).select_related("organization").first().organization
    Organization.objects.filter(path__startswith=org.path).update(status=OrgStatus.DORMANT)
    made = seed_voice(seed=3)
    assert made["items"] > 0
    assert Item.objects.filter(organization=org).exists()
