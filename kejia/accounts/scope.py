"""The scope rule, in one place: a role in an organization covers it and everything below it,
nothing beside or above. Every selector in every app filters through `restrict()`, giving the
name of the field that holds the organization path of its rows."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from kejia.accounts.models import Role, RoleKind

MANAGE_KINDS = (RoleKind.STAFF, RoleKind.ADMIN)
ANY_KIND = tuple(RoleKind.values)


def _minimal(paths: Iterable[str]) -> list[str]:
    """Drop paths covered by a shorter one (a role below another role of the same user)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def role_paths(user, kinds: Iterable[str] = ANY_KIND) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    kinds = set(kinds)
    return _minimal(path for kind, path, _org_kind, _region in roles(user) if kind in kinds)


def roles(user) -> list[tuple[str, str, str, str | None]]:
    """(role kind, organization path, organization kind, organization region) of each of the
    user's roles, read once per request; the organization's kind and region ride along for the
    menu (no query of their own)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = user.__dict__.setdefault("_kejia_roles", None)
    if cache is None:
        cache = list(Role.objects.filter(user=user).values_list("kind", "organization__path", "organization__kind", "organization__region_id"))
        user.__dict__["_kejia_roles"] = cache
    return cache


def forget_roles(user) -> None:
    user.__dict__.pop("_kejia_roles", None)


def is_unrestricted(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def scope_q(user, path_field: str = "path", kinds: Iterable[str] = ANY_KIND) -> Q | None:
    """A filter for rows in the user's scope; None means no restriction (platform admin)."""
    if is_unrestricted(user):
        return None
    paths = role_paths(user, kinds)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__descends": path})
    return q


def restrict(qs: QuerySet, user, path_field: str = "path", kinds: Iterable[str] = ANY_KIND) -> QuerySet:
    q = scope_q(user, path_field, kinds)
    return qs if q is None else qs.filter(q)


def covers(user, path: str, kinds: Iterable[str] = ANY_KIND) -> bool:
    if is_unrestricted(user):
        return True
    return any(path.startswith(p) for p in role_paths(user, kinds))


def can_view(user, org) -> bool:
    return covers(user, org.path)


def can_manage(user, org) -> bool:
    return covers(user, org.path, MANAGE_KINDS)


def can_administer(user, org) -> bool:
    return covers(user, org.path, (RoleKind.ADMIN,))


def has_any_role(user) -> bool:
    return is_unrestricted(user) or bool(role_paths(user))
