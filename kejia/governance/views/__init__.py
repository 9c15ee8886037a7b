"""The governance pages, one module per concept (kejia/governance/urls.py names each view by its
module): bodies, terms and seats (`bodies`); draft slates (`slates`); an official's posts and
concurrent posts (`posts`); compliance of a subtree and term alerts (`reports`); contact duties
(`contacts`); rule sets (`rules`). `common` holds what they share.

Each view parses its input with a form, reads through a scoped selector (NotFound outside the
caller's scope, PermissionDenied for a role that may only read), asks `kejia.governance.access`
who may act beyond the scope rule, and calls one service; a service's refusal comes back next to
the field at fault with 400, or 409 when the object's state forbids it."""
