import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from kejia.accounts.models import ApiToken, Role
from kejia.accounts.services import LockedOut, create_user, grant_role, issue_api_token, log_in, revoke_role, user_for_token
from kejia.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent, ThrottleCounter
from kejia.organizations import selectors


def request(ip="10.0.0.1"):
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)


def test_log_in_with_username_or_phone(tree):
    assert log_in(request=request(), identifier="xw_staff", password=tree.password) == tree.county_staff
    assert log_in(request=request(), identifier="139 1234 0001", password=tree.password) == tree.county_staff


def test_log_in_phone_is_stored_sealed(tree):
    tree.county_staff.refresh_from_db()
    assert "13912340001" not in tree.county_staff.phone_sealed
    assert tree.county_staff.phone_masked == "139****0001"


def test_log_in_wrong_password_names_field(tree):
    with pytest.raises(DomainError) as exc:
        log_in(request=request(), identifier="xw_staff", password="wrong")
    assert exc.value.field == "password"


def test_log_in_locks_out_after_repeated_failures(tree, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        with pytest.raises(DomainError):
            log_in(request=request(), identifier="xw_staff", password="wrong")
    with pytest.raises(LockedOut):
        log_in(request=request(), identifier="xw_staff", password=tree.password)
    # Lockout ends after the window.
    ThrottleCounter.objects.update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert log_in(request=request(), identifier="xw_staff", password=tree.password) == tree.county_staff


def test_log_in_lockout_counts_per_client_address_too(tree, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for i in range(8):
        with pytest.raises(DomainError):
            log_in(request=request("10.9.9.9"), identifier=f"nobody{i}", password="x")
    with pytest.raises(LockedOut):
        log_in(request=request("10.9.9.9"), identifier="xw_staff", password=tree.password)
    assert log_in(request=request("10.1.1.1"), identifier="xw_staff", password=tree.password)


def test_log_in_inactive_user_refused(tree):
    tree.county_staff.is_active = False
    tree.county_staff.save()
    with pytest.raises(DomainError):
        log_in(request=request(), identifier="xw_staff", password=tree.password)


def test_create_user_validates_fields(tree):
    with pytest.raises(ValidationFailed) as exc:
        create_user(actor=tree.platform, username="xw_staff", password="123", phone="13912340001")
    assert {"username", "password", "phone"} <= set(exc.value.errors)


def test_grant_role_by_admin_and_scope_follows(tree):
    newbie = create_user(actor=tree.platform, username="newbie", password="Long-enough-9")
    assert not selectors.visible_organizations(newbie).exists()
    grant_role(newbie, actor=tree.nj_admin, organization=tree.qh, kind="staff")
    assert set(selectors.visible_organizations(newbie).values_list("code", flat=True)) == {"QH"}
    assert AuditEvent.objects.filter(action="role.granted", organization_id=tree.qh.pk).exists()


def test_grant_role_by_staff_or_outside_refused(tree):
    newbie = create_user(actor=tree.platform, username="newbie", password="Long-enough-9")
    with pytest.raises(PermissionDenied):
        grant_role(newbie, actor=tree.nj_staff, organization=tree.qh, kind="staff")
    with pytest.raises(NotFound):
        grant_role(newbie, actor=tree.nj_admin, organization=tree.wx, kind="staff")


def test_revoke_role(tree):
    role = Role.objects.get(user=tree.sibling_staff)
    revoke_role(role, actor=tree.nj_admin)
    assert not selectors.visible_organizations(tree.sibling_staff).exists()
    assert AuditEvent.objects.filter(action="role.revoked").exists()


def test_api_token_stored_hashed_and_revocable(tree):
    token, raw = issue_api_token(tree.county_staff, name="script")
    assert raw not in token.key_hash and user_for_token(raw) == tree.county_staff
    assert user_for_token(raw + "x") is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert user_for_token(raw) is None
