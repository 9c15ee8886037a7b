"""The activities demo: events of every kind around ANCHOR, seat counts that match the
registrations, waiting lists in order, check-ins with verifiable certificates, the worker
registered, and nothing more on a second run."""

import pytest
from django.db.models import Count, Q

from kejia.activities import certificates, selectors
from kejia.activities.choices import EventKind, EventStatus
from kejia.activities.models import AttendanceCertificate, Event, Registration
from kejia.core.models import AuditEvent
from kejia.demo.activities import seed_activities
from kejia.memberships.choices import CertificateState


@pytest.fixture
def demo(reference):
    from kejia.accounts.models import User
    from kejia.demo import seeding as org_demo

    org_demo.seed_demo(orgs=300, people=400)
    return User.objects.get(username="admin")


def test_seed_activities_makes_consistent_events_and_is_idempotent(demo):
    made = seed_activities(seed=7, actor=demo)
    assert made["events"] >= 100 and made["registrations"] > 0 and made["certificates of attendance"] > 0
    assert set(Event.objects.values_list("kind", flat=True)) == set(EventKind.values)
    assert {EventStatus.PUBLISHED, EventStatus.FINISHED, EventStatus.DRAFT, EventStatus.CANCELLED} <= set(Event.objects.values_list("status", flat=True))
    for event in Event.objects.annotate(seats=Count("registrations", filter=Q(registrations__status__in=["confirmed", "attended"]))):
        assert event.seats == event.confirmed_count
        assert event.capacity is None or event.confirmed_count <= event.capacity
        line = list(event.registrations.filter(status="waitlisted").order_by("waitlist_position").values_list("waitlist_position", flat=True))
        assert line == list(range(1, len(line) + 1))
        if line:
            assert event.is_full
    assert Registration.objects.filter(status="waitlisted").exists()
    cert = AttendanceCertificate.objects.order_by("pk").first()
    assert certificates.check_token(cert.token).state == CertificateState.VALID
    from kejia.accounts.models import User

    worker = User.objects.get(username="worker")
    assert any(r.status == "confirmed" and r.event.status == "published" for r in selectors.events_of_user(worker))
    assert AuditEvent.objects.filter(action="activities.demo_seeded").count() == 1
    assert seed_activities(seed=7, actor=demo) == {}
    assert Event.objects.count() == made["events"]
