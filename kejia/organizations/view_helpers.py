"""Display-side reads and shaping for the HTML pages (labels, summaries, pickers). Anything
that decides what a user may see goes through `selectors.py`/`scope.py` first."""

from django.db.models import Count, QuerySet

from kejia.accounts.models import Role, User
from kejia.core import pii
from kejia.core.errors import NotFound
from kejia.core.models import AuditEvent
from kejia.organizations import selectors
from kejia.organizations.kinds import TERRITORIAL_LEVEL, OrgKind, OrgStatus
from kejia.organizations.models import Filing, Organization

TERRITORIAL_KINDS = tuple(TERRITORIAL_LEVEL)


def tree_roots(user) -> QuerySet[Organization]:
    """The tops of the user's forest with their number of children, for lazy expansion.
    Every child of a root is in scope (a role covers the whole subtree), so the count is exact."""
    return selectors.root_organizations(user).annotate(child_count=Count("children")).select_related("region").order_by("path")


def visible_by_code(user, code: str) -> Organization:
    org = selectors.visible_organizations(user).select_related("region").filter(code=code.strip()).first()
    if org is None:
        raise NotFound()
    return org


def guiding_associations(user, *, limit: int = 300) -> QuerySet[Organization]:
    """Active territorial associations in the user's scope, offered as guiding associations."""
    return (
        selectors.visible_organizations(user)
        .filter(kind__in=TERRITORIAL_KINDS, status=OrgStatus.ACTIVE)
        .only("pk", "code", "name", "path")
        .order_by("path")[:limit]
    )


def find_guiding_association(code: str) -> Organization | None:
    """A territorial association by its code, in or out of the user's scope: founders of an
    enterprise association usually hold no role, and the territorial associations are the
    public face of the federation (PRODUCT.md: scope hides what is not public)."""
    code = (code or "").strip()
    if not code:
        return None
    return Organization.objects.select_related("region").filter(code=code, kind__in=TERRITORIAL_KINDS).first()


def roles_in(org: Organization) -> QuerySet[Role]:
    """Roles held in an organization the caller already reached through a scoped selector."""
    return Role.objects.filter(organization=org).select_related("user").order_by("kind", "user__username")


def role_in(org: Organization, pk: int) -> Role:
    role = Role.objects.select_related("user", "organization").filter(organization=org, pk=pk).first()
    if role is None:
        raise NotFound()
    return role


def active_user(username: str) -> User | None:
    return User.objects.filter(username=username.strip(), is_active=True).first()


def recent_events(user, org: Organization, *, limit: int = 10) -> list[AuditEvent]:
    return list(selectors.visible_audit_events(user).filter(organization_id=org.pk)[:limit])


def filing_contact_phone(filing: Filing) -> str:
    """The sealed contact phone, to keep it when the submitter resubmits without retyping it.
    Never shown: pages show `contact_phone_masked`."""
    return pii.decrypt(filing.contact_phone_sealed) if filing.contact_phone_sealed else ""


def kind_counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(kind, label, n) in the order of OrgKind, for the subtree tables."""
    order = {value: i for i, value in enumerate(OrgKind.values)}
    rows = [(kind, OrgKind(kind).label if kind in OrgKind.values else kind, n) for kind, n in counts.items()]
    return sorted(rows, key=lambda row: order.get(row[0], len(order)))


def _share(covered: int, total: int) -> float | None:
    return round(100 * covered / total, 1) if total else None


def coverage_summary(data: dict, *, list_limit: int = 300) -> dict:
    """Percentages and bounded gap lists over `selectors.coverage()`."""
    out = {"region": data["region"], "levels": [], "institutions": []}
    for key in ("counties", "townships"):
        row = data[key]
        covered = row["total"] - row["gap_count"]
        out["levels"].append(
            {
                "key": key,
                "total": row["total"],
                "gap_count": row["gap_count"],
                "covered": covered,
                "share": _share(covered, row["total"]),
                "gaps": list(row["gaps"][:list_limit]),
                "more": max(0, row["gap_count"] - list_limit),
            }
        )
    for row in data["institutions"]:
        gaps = list(row["gaps"][: list_limit + 1])
        more = len(gaps) > list_limit
        gap_count = row["gaps"].count() if more else len(gaps)
        covered = row["total"] - gap_count
        out["institutions"].append(
            {
                "kind": row["kind"],
                "total": row["total"],
                "gap_count": gap_count,
                "covered": covered,
                "share": _share(covered, row["total"]),
                "gaps": gaps[:list_limit],
                "more": max(0, gap_count - list_limit),
            }
        )
    return out
