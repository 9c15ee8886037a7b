from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from kejia.accounts.services import issue_api_token, log_in
from kejia.core.api_auth import AUTH
from kejia.organizations import scope

router = Router(tags=["accounts"])


class TokenIn(Schema):
    identifier: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str
    prefix: str


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


@router.post("/auth/token", response={201: TokenOut}, auth=None, summary=str(_("Issue an API token")))
def create_token(request, payload: TokenIn):
    """Log in with username or phone and password; the token is shown once."""
    user = log_in(request=request, identifier=payload.identifier, password=payload.password)
    token, raw = issue_api_token(user, name=payload.name)
    return Status(201, {"token": raw, "prefix": token.prefix})


@router.get("/me", response=MeOut, auth=AUTH)
def me(request):
    user = request.auth
    roles = user.roles.select_related("organization").order_by("organization__path")
    return {
        "id": user.pk, "username": user.username, "display_name": user.display_name,
        "phone_masked": user.phone_masked, "is_platform_admin": scope.is_unrestricted(user),
        "roles": [{"organization_id": r.organization_id, "organization_name": r.organization.name,
                   "kind": r.kind, "kind_label": str(r.get_kind_display())} for r in roles],
    }
