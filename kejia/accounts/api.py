import datetime
from typing import Annotated

from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema, Status

from kejia.accounts import notices, registration, scope, services
from kejia.core.api import PageParams, page_of
from kejia.core.api_auth import AUTH
from kejia.core.http import client_ip

router = Router(tags=["accounts"])


class TokenIn(Schema):
    identifier: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    name: str = Field("", max_length=64)
    days: int | None = Field(None, ge=1, le=services.MAX_TOKEN_DAYS, description="Lifetime in days (default: the server's setting).")


class TokenOut(Schema):
    token: str
    prefix: str
    expires_at: datetime.datetime


class TokenItemOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    expired: bool = Field(..., alias="is_expired")


class TokenPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TokenItemOut]


class RoleOut(Schema):
    organization_id: int
    organization_name: str
    kind: str
    kind_label: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone_masked: str
    is_platform_admin: bool
    roles: list[RoleOut]


class PasswordChangeIn(Schema):
    old_password: str = Field(..., max_length=256)
    new_password: str = Field(..., max_length=256)


class ResetRequestIn(Schema):
    identifier: str = Field(..., max_length=150)


class ResetConfirmIn(Schema):
    identifier: str = Field(..., max_length=150)
    code: str = Field(..., max_length=16)
    new_password: str = Field(..., max_length=256)


class AccountMessageOut(Schema):
    message: str


@router.post("/auth/token", response={201: TokenOut}, auth=None, summary=str(_("Issue an API token")))
def create_token(request, payload: TokenIn):
    """Log in with username or phone and password; the token is shown once and expires after
    `days` (default API_TOKEN_LIFETIME_DAYS)."""
    user = services.log_in(request=request, identifier=payload.identifier, password=payload.password)
    token, raw = services.issue_api_token(user, name=payload.name, days=payload.days)
    return Status(201, {"token": raw, "prefix": token.prefix, "expires_at": token.expires_at})


@router.get("/auth/tokens", response=TokenPage, auth=AUTH, summary=str(_("My API tokens")))
def list_tokens(request, page: Query[PageParams]):
    """Your tokens that are not revoked (expired ones are marked), newest first. Paginated with
    `limit`/`offset`; `count` is the total before pagination."""
    return page_of(services.tokens_of(request.auth), page)


@router.delete("/auth/tokens/{id}", response={204: None}, auth=AUTH, summary=str(_("Revoke an API token")))
def revoke_token(request, id: Annotated[int, Path(ge=1, le=2**62, description="The token's id")]):  # noqa: A002 - the path is /{id}
    """Revoke one of your tokens; another person's token is a 404."""
    services.revoke_api_token(services.get_token_for(request.auth, id), actor=request.auth)
    return Status(204, None)


@router.post("/auth/password", response=AccountMessageOut, auth=AUTH, summary=str(_("Change my password")))
def change_password(request, payload: PasswordChangeIn):
    """A wrong current password is a 400 with code `bad_password` and counts as a failed login."""
    services.change_password(request.auth, actor=request.auth, old_password=payload.old_password, new_password=payload.new_password, ip=client_ip(request))
    return {"message": str(_("Your password was changed."))}


@router.post("/auth/password/reset", response={202: AccountMessageOut}, auth=None, summary=str(_("Ask for a password reset code")))
def request_reset(request, payload: ResetRequestIn):
    """Sends a code to the account's phone or e-mail; the answer is the same for an unknown account."""
    services.request_password_reset(identifier=payload.identifier, ip=client_ip(request))
    return Status(202, {"message": str(_("If this account has a phone or e-mail on file, a code was sent to it."))})


@router.post("/auth/password/reset/confirm", response=AccountMessageOut, auth=None, summary=str(_("Reset my password with a code")))
def confirm_reset(request, payload: ResetConfirmIn):
    """A wrong or expired code is a 400 with code `bad_code`; every API token of the account is revoked."""
    services.reset_password(identifier=payload.identifier, code=payload.code, new_password=payload.new_password, ip=client_ip(request))
    return {"message": str(_("Your password was reset. Log in with the new one."))}


class AccountRegisterIn(Schema):
    contact: str = Field(..., max_length=254, description="A mobile phone number or an e-mail address")
    consent: bool = Field(False, description="Consent to the privacy notice (must be true)")


class AccountRegisterOut(Schema):
    message: str
    sent_to: str
    privacy_notice_version: str


class AccountRegisterConfirmIn(Schema):
    contact: str = Field(..., max_length=254)
    code: str = Field(..., max_length=16)
    name: str = Field(..., max_length=64)
    password: str = Field(..., max_length=256)
    consent: bool = Field(False, description="Consent to the privacy notice (must be true)")


class AccountRegisteredOut(Schema):
    id: int
    username: str
    profile: str = Field(..., description="linked, review (staff will check a possible match) or none")
    message: str


@router.post("/auth/register", response={202: AccountRegisterOut}, auth=None, summary=str(_("Ask for a registration code")))
def register(request, payload: AccountRegisterIn):
    """Sends a code to the phone (SMS) or e-mail. The answer is the same when an account already
    holds that contact (its owner is told instead). Limited per contact and per client address (429)."""
    contact = registration.start_registration(contact=payload.contact, consent=payload.consent, ip=client_ip(request))
    return Status(
        202,
        {
            "message": str(_("A code was sent to %(to)s. Enter it below to finish.") % {"to": contact.masked}),
            "sent_to": contact.masked,
            "privacy_notice_version": registration.PRIVACY_NOTICE_VERSION,
        },
    )


@router.post("/auth/register/confirm", response={201: AccountRegisteredOut}, auth=None, summary=str(_("Create my account with a code")))
def register_confirm(request, payload: AccountRegisterConfirmIn):
    """Makes the account (then POST /api/auth/token to log in), records the consent and links the
    profile or asks staff to review a possible match. A wrong or expired code is a 400 `bad_code`."""
    done = registration.complete_registration(
        contact=payload.contact, code=payload.code, name=payload.name, password=payload.password, consent=payload.consent, ip=client_ip(request)
    )
    return Status(201, {"id": done.user.pk, "username": done.user.username, "profile": done.profile, "message": str(_("Your account is ready."))})


@router.get("/me", response=MeOut, auth=AUTH)
def me(request):
    user = request.auth
    roles = user.roles.select_related("organization").order_by("organization__path")
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "phone_masked": user.phone_masked,
        "is_platform_admin": scope.is_unrestricted(user),
        "roles": [
            {"organization_id": r.organization_id, "organization_name": r.organization.name, "kind": r.kind, "kind_label": str(r.get_kind_display())}
            for r in roles
        ],
    }


# ---- Notice inbox -------------------------------------------------------------------------


class NoticeOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NoticePageOut(Schema):
    count: int
    unread: int
    limit: int
    offset: int
    items: list[NoticeOut]


class NoticeFilter(PageParams):
    unread: bool = Field(False, description="Only the unread notices")


class MarkedOut(Schema):
    marked: int
    unread: int


@router.get("/me/notices", response=NoticePageOut, auth=AUTH, summary=str(_("My notices")))
def my_notices(request, params: Query[NoticeFilter]):
    """Your notices, newest first (`unread=true`: only the unread ones), with the unread count."""
    page = page_of(notices.notices_of(request.auth, unread_only=params.unread), params)
    return {**page, "unread": notices.unread_count(request.auth)}


@router.post("/me/notices/read", response=MarkedOut, auth=AUTH, summary=str(_("Mark all my notices read")))
def read_all_notices(request):
    marked = notices.mark_all_read(request.auth)
    return {"marked": marked, "unread": notices.unread_count(request.auth)}


@router.post("/me/notices/{id}/read", response=NoticeOut, auth=AUTH, summary=str(_("Mark a notice read")))
def read_notice(request, id: Annotated[int, Path(ge=1, le=2**62, description="The notice's id")]):  # noqa: A002 - the path is /{id}
    """Another person's notice is a 404."""
    return notices.mark_read(request.auth, id)


@router.post("/me/notices/{id}/unread", response=NoticeOut, auth=AUTH, summary=str(_("Mark a notice unread")))
def unread_notice(request, id: Annotated[int, Path(ge=1, le=2**62, description="The notice's id")]):  # noqa: A002 - the path is /{id}
    return notices.mark_unread(request.auth, id)
