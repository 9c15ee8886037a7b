"""Accounts: creating users, granting roles, logging in with lockout, API tokens, passwords."""

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

from kejia.accounts import scope
from kejia.accounts.models import ApiToken, Role, RoleKind, User
from kejia.core import codes, pii, throttle
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from kejia.core.notify import notify
from kejia.core.validators import normalize_phone, validate_phone

LockedOut = throttle.Throttled  # a login refused while locked (429, code "locked")

# Failed logins: per account (whatever spelling of its username or phone was typed), per
# identifier that names no account, and per client address (shared offices and NAT: four times more).
LOGIN_ACCOUNT = throttle.Limit("login.user", "LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_SECONDS")
LOGIN_UNKNOWN = throttle.Limit("login.id", "LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_SECONDS")
LOGIN_ADDRESS = throttle.Limit("login.ip", "LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_SECONDS", factor=4)
# Password-reset codes: sent per account, and requests and wrong codes per client address.
RESET_SENDS = throttle.Limit("reset.user", "CODE_MAX_SENDS", "CODE_WINDOW_SECONDS")
RESET_ADDRESS = throttle.Limit("reset.ip", "CODE_MAX_SENDS", "CODE_WINDOW_SECONDS", factor=4)
RESET_PURPOSE = "accounts.password_reset"


@transaction.atomic
def create_user(*, actor, username: str, password: str, display_name: str = "", phone: str = "", email: str = "", check_password: bool = True) -> User:
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
        record_event(actor=actor, action="role.granted", obj=role, organization=organization, new={"user": user.pk, "kind": kind, "title": title})
    scope.forget_roles(user)
    return role


@transaction.atomic
def revoke_role(role: Role, *, actor) -> None:
    if not scope.can_administer(actor, role.organization):
        raise NotFound() if not scope.can_view(actor, role.organization) else PermissionDenied()
    record_event(actor=actor, action="role.revoked", obj=role, organization=role.organization, old={"user": role.user_id, "kind": role.kind})
    role.delete()
    scope.forget_roles(role.user)


# ---- Login with lockout ------------------------------------------------------------------


def find_account(identifier: str) -> User | None:
    """The account a login identifier names: its username as typed, else its mobile phone in any
    spelling (+86, spaces, dashes, full-width digits)."""
    ident = (identifier or "").strip()
    if not ident or len(ident) > 150:
        return None
    user = User.objects.filter(username=ident).first()
    if user is None and "@" in ident:  # a self-registered account's username is its e-mail, lower-cased
        user = User.objects.filter(username=ident.lower()).first()
    if user is None:
        phone = normalize_phone(ident)
        if phone.isdigit() and len(phone) == 11:
            user = User.objects.filter(phone_hash=pii.blind_index(phone)).first()
    return user


def _login_counters(user: User | None, identifier: str, ip: str | None) -> list:
    if user is not None:
        first = throttle.counter(LOGIN_ACCOUNT, user.pk)
    else:
        ident = (identifier or "").strip()
        phone = normalize_phone(ident)
        first = throttle.counter(LOGIN_UNKNOWN, throttle.digest(phone if phone.isdigit() else ident.lower()))
    return [first, throttle.counter(LOGIN_ADDRESS, ip) if ip else None]


def log_in(*, request, identifier: str, password: str) -> User:
    """Check the credentials; raise LockedOut while locked, DomainError on a bad password.
    Failures count against the account the identifier names, so another spelling of the same
    phone number meets the same lock."""
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    account = find_account(identifier)
    counters = _login_counters(account, identifier, ip)
    throttle.check(*counters, code="locked")
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        throttle.hit(*counters)
        raise DomainError("bad_credentials", _("The username/phone or the password is not correct."), field="password")
    throttle.clear(counters[0])
    return user


# ---- Passwords ----------------------------------------------------------------------------


def _password_errors(password: str, user: User, field: str) -> dict[str, list[str]]:
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        return {field: exc.messages}
    return {}


def change_password(user: User, *, actor, old_password: str, new_password: str, ip: str | None = None) -> User:
    """A logged-in person changes their own password. A wrong current password counts as a
    failed login of the account (the same lock)."""
    if not getattr(actor, "pk", None) or actor.pk != user.pk:
        raise PermissionDenied()
    counters = [throttle.counter(LOGIN_ACCOUNT, user.pk), throttle.counter(LOGIN_ADDRESS, ip) if ip else None]
    throttle.check(*counters, code="locked")
    if not user.check_password(old_password or ""):
        throttle.hit(*counters)
        raise DomainError("bad_password", _("The current password is not correct."), field="old_password")
    errors = _password_errors(new_password, user, "new_password")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record_event(actor=actor, action="user.password_changed", obj=user, ip=ip)
        _tell_owner(user, subject=_("Your Kejia password was changed. If it was not you, reset it at once."))
    return user


def _tell_owner(user: User, *, subject) -> None:
    phone = pii.decrypt(user.phone_sealed) if user.phone_sealed else ""
    notify(kind="account.security", subject=subject, user=user, email=user.email, phone=phone)


def request_password_reset(*, identifier: str, ip: str | None = None) -> None:
    """Send a code to the phone or e-mail of the account `identifier` names. The answer is the
    same whether the account exists or not; a code goes out at most CODE_MAX_SENDS times per
    window per account, and requests from one address are limited too."""
    address = throttle.counter(RESET_ADDRESS, ip) if ip else None
    throttle.check(address)
    throttle.hit(address)
    user = find_account(identifier)
    if user is None or not user.is_active or not (user.phone_sealed or user.email):
        return
    sends = throttle.counter(RESET_SENDS, user.pk)
    if throttle.locked_until([sends]):
        record_event(actor=None, action="user.password_reset_refused", obj=user, new={"reason": "throttled"}, ip=ip)
        return
    throttle.hit(sends)
    phone = pii.decrypt(user.phone_sealed) if user.phone_sealed else ""
    channel = "sms" if phone else "email"
    with transaction.atomic():
        code = codes.issue(purpose=RESET_PURPOSE, subject=f"user:{user.pk}", channel=channel)
        record_event(actor=None, action="user.password_reset_requested", obj=user, new={"channel": channel}, ip=ip)
        # user=None: the code must not sit in the account's own inbox, which a session could read.
        notify(
            kind="account.code",
            subject=_("Kejia password reset code: %(code)s (valid for %(m)d minutes)") % {"code": code, "m": settings.CODE_TTL_SECONDS // 60},
            email="" if phone else user.email,
            phone=phone,
        )


def reset_password(*, identifier: str, code: str, new_password: str, ip: str | None = None) -> User:
    """Set a new password with the code sent by `request_password_reset`. Every API token of the
    account is revoked and its login lock lifted; a wrong code counts per address and voids the
    code after CODE_MAX_TRIES."""
    address = throttle.counter(RESET_ADDRESS, ip) if ip else None
    throttle.check(address)
    user = find_account(identifier)
    bad = DomainError("bad_code", _("The code is not correct or has expired. Ask for a new one."), field="code")
    if user is None:
        throttle.hit(address)
        raise bad
    errors = _password_errors(new_password, user, "new_password")
    if errors:
        raise ValidationFailed(errors)
    if codes.redeem(purpose=RESET_PURPOSE, subject=f"user:{user.pk}", code=code) is None:
        throttle.hit(address)
        record_event(actor=None, action="user.password_reset_failed", obj=user, ip=ip)
        raise bad
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        record_event(actor=user, action="user.password_reset", obj=user, new={"tokens_revoked": revoked}, ip=ip)
        _tell_owner(user, subject=_("Your Kejia password was reset. If it was not you, tell your organization at once."))
    throttle.clear(throttle.counter(LOGIN_ACCOUNT, user.pk))
    return user


# ---- API tokens ---------------------------------------------------------------------------

MAX_TOKEN_DAYS = 366


def issue_api_token(user: User, *, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new token, valid `days` (default settings.API_TOKEN_LIFETIME_DAYS, at most a year)."""
    days = settings.API_TOKEN_LIFETIME_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise DomainError("token_days", _("A token is valid for 1 to %(n)d days.") % {"n": MAX_TOKEN_DAYS}, field="days")
    raw = "kj_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:64],
            prefix=raw[:8],
            key_hash=hashlib.sha256(raw.encode()).hexdigest(),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        record_event(actor=user, action="api_token.issued", obj=token, new={"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at})
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor) -> ApiToken:
    """The owner revokes their token (a platform administrator or the command: anyone's)."""
    if actor is not None and actor.pk != token.user_id and not actor.is_superuser:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            action="api_token.revoked",
            obj=token,
            old={"revoked_at": None},
            new={"revoked_at": token.revoked_at, "user": token.user_id, "prefix": token.prefix},
        )
    return token


def tokens_of(user: User):
    """The caller's tokens not revoked, newest first (expired ones too, marked by expires_at)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-pk")


def get_token_for(user: User, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=pk, user=user).first()
    if token is None:
        raise NotFound()
    return token


def user_for_token(raw: str) -> User | None:
    if not raw:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=hashlib.sha256(raw.encode()).hexdigest(), revoked_at__isnull=True, expires_at__gt=now).first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
