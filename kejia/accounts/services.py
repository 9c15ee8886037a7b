"""Accounts: creating users, granting roles, logging in with lockout, API tokens."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts.models import ApiToken, LoginThrottle, Role, RoleKind, User
from kejia.core import pii
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kejia.core.validators import validate_phone
from kejia.organizations import scope


class LockedOut(DomainError):
    status = 429


@transaction.atomic
def create_user(*, actor, username: str, password: str, display_name: str = "", phone: str = "",
                email: str = "", check_password: bool = True) -> User:
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = [str(_("This field is required."))]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [str(_("This username is taken."))]
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
        else:
            if User.objects.filter(phone_hash=pii.blind_index(phone)).exists():
                errors["phone"] = [str(_("This phone number is already registered."))]
    if check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, display_name=display_name.strip(), email=email.strip())
    if phone:
        user.set_phone(phone)
    user.set_password(password)
    try:
        user.save()
    except IntegrityError:
        raise ValidationFailed({"username": [str(_("This username is taken."))]}) from None
    record_event(actor=actor, action="user.created", obj=user, new={"username": username, "display_name": user.display_name})
    return user


@transaction.atomic
def grant_role(user: User, *, actor, organization, kind: str, title: str = "") -> Role:
    if kind not in RoleKind.values:
        raise DomainError("role_kind", _("Unknown role."), field="kind")
    if not scope.can_administer(actor, organization):
        raise NotFound() if not scope.can_view(actor, organization) else PermissionDenied()
    role, created = Role.objects.get_or_create(user=user, organization=organization, kind=kind, defaults={"title": title})
    if created:
        record_event(actor=actor, action="role.granted", obj=role, organization=organization,
                     new={"user": user.pk, "kind": kind, "title": title})
    scope.forget_roles(user)
    return role


@transaction.atomic
def revoke_role(role: Role, *, actor) -> None:
    if not scope.can_administer(actor, role.organization):
        raise NotFound() if not scope.can_view(actor, role.organization) else PermissionDenied()
    record_event(actor=actor, action="role.revoked", obj=role, organization=role.organization,
                 old={"user": role.user_id, "kind": role.kind})
    role.delete()
    scope.forget_roles(role.user)


# ---- Login with lockout ------------------------------------------------------------------

def _throttle_keys(identifier: str, ip: str | None) -> list[str]:
    keys = ["id:" + hashlib.sha256(identifier.strip().lower().encode()).hexdigest()]
    if ip:
        keys.append("ip:" + ip)
    return keys


def _locked_until(keys: list[str]) -> datetime.datetime | None:
    now = timezone.now()
    until = LoginThrottle.objects.filter(key__in=keys, locked_until__gt=now).order_by("-locked_until").first()
    return until.locked_until if until else None


def _note_failure(keys: list[str]) -> None:
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    # The per-address counter tolerates more failures (shared offices, NAT) than per-account.
    limits = {"id": settings.LOGIN_MAX_FAILURES, "ip": settings.LOGIN_MAX_FAILURES * 4}
    with transaction.atomic():
        for key in keys:
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(key=key)
            if row.first_failure_at is None or now - row.first_failure_at > window:
                row.failures, row.first_failure_at = 0, now
            row.failures += 1
            if row.failures >= limits[key.split(":", 1)[0]]:
                row.locked_until, row.failures, row.first_failure_at = now + window, 0, None
            row.save()


def log_in(*, request, identifier: str, password: str) -> User:
    """Check the credentials; raise LockedOut while locked, DomainError on a bad password."""
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    keys = _throttle_keys(identifier or "", ip)
    until = _locked_until(keys)
    if until:
        minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
        raise LockedOut("locked", _("Too many failed attempts. Try again in %(m)d minutes.") % {"m": minutes})
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        _note_failure(keys)
        raise DomainError("bad_credentials", _("The username/phone or the password is not correct."), field="password")
    LoginThrottle.objects.filter(key=keys[0]).delete()
    return user


# ---- API tokens ---------------------------------------------------------------------------

def issue_api_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    raw = "kj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:64], prefix=raw[:8],
                                    key_hash=hashlib.sha256(raw.encode()).hexdigest())
    record_event(actor=user, action="api_token.issued", obj=token, new={"name": token.name, "prefix": token.prefix})
    return token, raw


def user_for_token(raw: str) -> User | None:
    if not raw:
        return None
    token = ApiToken.objects.select_related("user").filter(
        key_hash=hashlib.sha256(raw.encode()).hexdigest(), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
