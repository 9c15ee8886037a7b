"""The scope rule lives with the roles it reads, in kejia/accounts/scope.py. This name stays for
the modules that still import it from here (kejia/imports, kejia/search: docs/architecture.md)."""

from kejia.accounts.scope import (  # noqa: F401
    ANY_KIND,
    MANAGE_KINDS,
    can_administer,
    can_manage,
    can_view,
    covers,
    forget_roles,
    has_any_role,
    is_unrestricted,
    restrict,
    role_paths,
    scope_q,
)
