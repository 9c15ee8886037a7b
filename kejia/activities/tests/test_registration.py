"""Registration: every state change of a registration, legal and illegal — confirmed while seats
last, waitlisted after, cancellation promoting the first in line, the window, the audience rules."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kejia.activities import registration, selectors, services
from kejia.activities.choices import EventStatus, RegistrationStatus
from kejia.activities.models import Event, Registration
from kejia.activities.tests.conftest import DAY, make_event, make_person, make_user
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied
from kejia.core.models import AuditEvent, Notice

R = RegistrationStatus


def _register(event, user, **kw):
    return registration.register_for_event(event, actor=user, **kw)


def test_register_confirms_while_seats_last_then_waitlists(tree, people):
    event = make_event(tree, capacity=2)
    a = _register(event, people.a)
    b = _register(event, people.b)
    c = _register(event, people.c)
    event.refresh_from_db()
    assert (a.status, b.status, c.status) == (R.CONFIRMED, R.CONFIRMED, R.WAITLISTED)
    assert event.confirmed_count == 2 and event.is_full
    assert c.waitlist_position == 1 and selectors.place_in_line(c) == 1
    assert a.person.user_id == people.a.pk and a.name == "用户alice"
    assert AuditEvent.objects.filter(action="registration.created").count() == 3
    assert Notice.objects.filter(user=people.c, kind="activities.registered", subject__startswith="已候补").exists()


def test_register_unlimited_capacity_always_confirms(tree, people):
    event = make_event(tree, capacity=None)
    for user in (people.a, people.b, people.c):
        assert _register(event, user).status == R.CONFIRMED
    event.refresh_from_db()
    assert event.confirmed_count == 3 and event.seats_left is None


def test_register_twice_is_refused(tree, people):
    event = make_event(tree)
    _register(event, people.a)
    with pytest.raises(IllegalTransition) as exc:
        _register(event, people.a)
    assert exc.value.code == "already_registered"
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_register_again_after_cancelling_is_allowed(tree, people):
    event = make_event(tree)
    first = _register(event, people.a)
    registration.cancel_registration(first, actor=people.a)
    second = _register(event, people.a)
    assert second.pk != first.pk and second.status == R.CONFIRMED


def test_database_refuses_a_second_active_registration(tree, people):
    event = make_event(tree)
    reg = _register(event, people.a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, person=reg.person, name="x", status=R.WAITLISTED, waitlist_position=99, checkin_code="dup-code-xyz")


def test_database_refuses_more_seats_than_capacity(tree, people):
    event = make_event(tree, capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(confirmed_count=2)


def test_register_without_login_is_refused(tree):
    from django.contrib.auth.models import AnonymousUser

    event = make_event(tree)
    with pytest.raises(PermissionDenied):
        _register(event, AnonymousUser())


def test_register_for_a_draft_or_cancelled_or_finished_event_is_refused(tree, people):
    draft = make_event(tree, publish=False)
    with pytest.raises(IllegalTransition) as exc:
        _register(draft, people.a)
    assert exc.value.code == "not_open"
    cancelled = make_event(tree)
    services.cancel_event(cancelled, actor=tree.platform, reason="场地变更")
    cancelled.refresh_from_db()
    with pytest.raises(IllegalTransition) as exc:
        _register(cancelled, people.a)
    assert exc.value.code == "event_cancelled"
    assert not Registration.objects.filter(user=people.a).exists()


def test_register_before_the_window_opens_or_after_it_closes_is_refused(tree, people):
    start = timezone.now() + DAY * 10
    event = make_event(tree, registration_opens=start - DAY * 5, registration_closes=start - DAY * 2)
    with pytest.raises(IllegalTransition) as exc:
        registration.register_for_event(event, actor=people.a, now=start - DAY * 6)
    assert exc.value.code == "registration_not_open"
    with pytest.raises(IllegalTransition) as exc:
        registration.register_for_event(event, actor=people.a, now=start - DAY)
    assert exc.value.code == "registration_closed"
    assert registration.register_for_event(event, actor=people.a, now=start - DAY * 3).status == R.CONFIRMED


def test_register_closes_at_the_start_by_default(tree, people):
    event = make_event(tree)
    with pytest.raises(IllegalTransition) as exc:
        registration.register_for_event(event, actor=people.a, now=event.starts_at + datetime.timedelta(minutes=1))
    assert exc.value.code == "registration_closed"


def test_register_members_only_event_needs_membership_or_listing(tree, people):
    event = make_event(tree, audience="members", audience_organization=tree.xw)
    with pytest.raises(PermissionDenied):
        _register(event, people.a)  # listed by LX, not by XW
    member = make_user(tree, "xw_member", person_org=tree.my)  # listed by XW-MY, below XW
    assert _register(event, member).status == R.CONFIRMED


def test_register_members_of_a_society_by_active_membership(tree, people):
    from kejia.memberships import member_classes
    from kejia.memberships.models import Membership

    classes = {c.code: c for c in member_classes.create_default_classes(tree.soc, actor=tree.society_secretary)}
    event = make_event(tree, org=tree.soc, audience="members", audience_organization=tree.soc)
    person = people.a.person
    assert not selectors.is_eligible(event, person=person)
    Membership.objects.create(society=tree.soc, person=person, member_class=next(iter(classes.values())), status="active", number="SOC-1")
    assert selectors.is_eligible(event, person=person)
    assert _register(event, people.a).status == R.CONFIRMED


def test_register_members_only_without_profile_is_refused(tree):
    from kejia.accounts.services import create_user

    event = make_event(tree, audience="members", audience_organization=tree.xw)
    nobody = create_user(actor=tree.platform, username="noprofile", password=tree.password, check_password=False)
    with pytest.raises(PermissionDenied):
        _register(event, nobody)


def test_register_public_event_without_profile_uses_the_account(tree):
    from kejia.accounts.services import create_user

    event = make_event(tree)
    nobody = create_user(actor=tree.platform, username="noprofile", password=tree.password, display_name="游客", check_password=False)
    reg = _register(event, nobody)
    assert reg.person_id is None and reg.user_id == nobody.pk and reg.name == "游客"


def test_register_invitation_event_needs_an_invitation(tree, people):
    event = make_event(tree, audience="invited")
    with pytest.raises(PermissionDenied):
        _register(event, people.a)
    assert services.invite_people(event, actor=tree.platform, people=[people.a.person]) == 1
    assert services.invite_people(event, actor=tree.platform, people=[people.a.person]) == 0  # already invited
    assert _register(event, people.a).status == R.CONFIRMED
    assert Notice.objects.filter(user=people.a, kind="activities.invited").count() == 1


def test_invite_by_someone_outside_the_organizer_is_refused(tree, people):
    event = make_event(tree, audience="invited")
    with pytest.raises(PermissionDenied):
        services.invite_people(event, actor=tree.sibling_staff, people=[people.a.person])


def test_staff_register_someone_else_beyond_window_and_audience_but_not_capacity(tree, people):
    event = make_event(tree, capacity=1, audience="invited")
    walk_in = make_person(tree, name="现场报名", org=tree.xw)
    reg = registration.register_for_event(event, actor=tree.county_staff, person=walk_in, now=event.starts_at + DAY / 24)
    assert reg.status == R.CONFIRMED and reg.user_id is None
    other = make_person(tree, name="第二位", org=tree.xw)
    assert registration.register_for_event(event, actor=tree.county_staff, person=other).status == R.WAITLISTED


def test_register_someone_else_without_staff_role_is_refused(tree, people):
    event = make_event(tree)
    with pytest.raises(PermissionDenied):
        registration.register_for_event(event, actor=people.a, person=people.b.person)
    with pytest.raises(PermissionDenied):
        registration.register_for_event(event, actor=tree.sibling_staff, person=people.b.person)


# ---- Cancellation and the waiting list ------------------------------------------------------------


def test_cancel_confirmed_promotes_the_first_in_line(tree, people):
    event = make_event(tree, capacity=1)
    a = _register(event, people.a)
    b = _register(event, people.b)
    c = _register(event, people.c)
    assert (b.waitlist_position, c.waitlist_position) == (1, 2)
    registration.cancel_registration(a, actor=people.a, reason="临时出差")
    b.refresh_from_db(), c.refresh_from_db(), a.refresh_from_db(), event.refresh_from_db()
    assert (a.status, b.status, c.status) == (R.CANCELLED, R.CONFIRMED, R.WAITLISTED)
    assert a.cancel_reason == "临时出差" and b.confirmed_at is not None
    assert event.confirmed_count == 1 and selectors.place_in_line(c) == 1
    assert Notice.objects.filter(user=people.b, kind="activities.promoted").exists()
    assert AuditEvent.objects.filter(action="registration.promoted", object_id=str(b.pk)).exists()


def test_cancel_waitlisted_frees_no_seat(tree, people):
    event = make_event(tree, capacity=1)
    _register(event, people.a)
    b = _register(event, people.b)
    c = _register(event, people.c)
    registration.cancel_registration(b, actor=people.b)
    event.refresh_from_db(), c.refresh_from_db()
    assert event.confirmed_count == 1 and c.status == R.WAITLISTED and selectors.place_in_line(c) == 1


def test_cancel_twice_is_an_illegal_transition(tree, people):
    event = make_event(tree)
    a = _register(event, people.a)
    registration.cancel_registration(a, actor=people.a)
    with pytest.raises(IllegalTransition):
        registration.cancel_registration(a, actor=people.a)
    event.refresh_from_db()
    assert event.confirmed_count == 0


def test_cancel_by_someone_else_is_refused_but_staff_may(tree, people):
    event = make_event(tree)
    a = _register(event, people.a)
    with pytest.raises(PermissionDenied):
        registration.cancel_registration(a, actor=people.b)
    with pytest.raises(PermissionDenied):
        registration.cancel_registration(a, actor=tree.sibling_staff)
    registration.cancel_registration(a, actor=tree.county_staff, reason="重复报名")
    a.refresh_from_db()
    assert a.status == R.CANCELLED


def test_cancel_after_the_start_is_for_staff_only_and_promotes_nobody(tree, people):
    event = make_event(tree, capacity=1)
    a = _register(event, people.a)
    b = _register(event, people.b)
    later = event.starts_at + datetime.timedelta(minutes=5)
    with pytest.raises(IllegalTransition) as exc:
        registration.cancel_registration(a, actor=people.a, now=later)
    assert exc.value.code == "started"
    registration.cancel_registration(a, actor=tree.county_staff, now=later)
    b.refresh_from_db()
    assert b.status == R.WAITLISTED


def test_cancel_attended_is_refused(tree, people):
    event = make_event(tree)
    a = _register(event, people.a)
    registration.check_in(event, actor=tree.county_staff, registration=a, now=event.starts_at)
    with pytest.raises(IllegalTransition):
        registration.cancel_registration(a, actor=tree.county_staff)


def test_larger_capacity_promotes_the_waiting_list_in_order(tree, people):
    event = make_event(tree, capacity=1)
    _register(event, people.a)
    b = _register(event, people.b)
    c = _register(event, people.c)
    services.update_event(event, actor=tree.county_staff, capacity=2)
    b.refresh_from_db(), c.refresh_from_db()
    assert (b.status, c.status) == (R.CONFIRMED, R.WAITLISTED)


def test_smaller_capacity_than_seats_taken_is_refused(tree, people):
    from kejia.core.errors import ValidationFailed

    event = make_event(tree, capacity=3)
    _register(event, people.a)
    _register(event, people.b)
    with pytest.raises(ValidationFailed) as exc:
        services.update_event(event, actor=tree.county_staff, capacity=1)
    assert "capacity" in exc.value.errors


# ---- Event life cycle ---------------------------------------------------------------------------


def test_cancel_event_cancels_registrations_and_tells_them(tree, people):
    event = make_event(tree, capacity=1)
    a = _register(event, people.a)
    b = _register(event, people.b)
    with pytest.raises(DomainError) as exc:
        services.cancel_event(event, actor=tree.county_staff, reason="")
    assert exc.value.field == "reason"
    services.cancel_event(event, actor=tree.county_staff, reason="台风预警")
    event.refresh_from_db(), a.refresh_from_db(), b.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and event.confirmed_count == 0
    assert (a.status, b.status) == (R.CANCELLED, R.CANCELLED)
    assert Notice.objects.filter(kind="activities.event_cancelled").count() == 2
    with pytest.raises(IllegalTransition):
        services.cancel_event(event, actor=tree.county_staff, reason="again")
    with pytest.raises(IllegalTransition):
        services.publish_event(event, actor=tree.county_staff)
    with pytest.raises(IllegalTransition):
        services.update_event(event, actor=tree.county_staff, title="新标题")


def test_publish_only_a_future_draft(tree):
    event = make_event(tree, publish=False)
    with pytest.raises(DomainError) as exc:
        services.publish_event(event, actor=tree.county_staff, now=event.starts_at + DAY)
    assert exc.value.field == "starts_at"
    with pytest.raises(PermissionDenied):
        services.publish_event(event, actor=tree.sibling_staff)
    with pytest.raises(PermissionDenied):
        services.publish_event(event, actor=tree.county_leader)  # a leader role reads, does not manage
    services.publish_event(event, actor=tree.nj_staff)  # a parent's staff manage the subtree
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    with pytest.raises(IllegalTransition):
        services.publish_event(event, actor=tree.nj_staff)


def test_finish_after_start_closes_the_waiting_list(tree, people):
    event = make_event(tree, capacity=1)
    _register(event, people.a)
    b = _register(event, people.b)
    with pytest.raises(IllegalTransition) as exc:
        services.finish_event(event, actor=tree.county_staff)
    assert exc.value.code == "not_started"
    services.finish_event(event, actor=tree.county_staff, now=event.ends_at)
    event.refresh_from_db(), b.refresh_from_db()
    assert event.status == EventStatus.FINISHED and b.status == R.CANCELLED
    with pytest.raises(IllegalTransition):
        services.finish_event(event, actor=tree.county_staff, now=event.ends_at)
