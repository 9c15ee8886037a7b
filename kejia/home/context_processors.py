"""Template context for every page: whether the signed-in user holds a role anywhere, so the
navigation shows staff pages to staff and a S&T worker only the pages of their online home."""

from django.utils.functional import SimpleLazyObject

from kejia.accounts import scope


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    # Lazy: pages that never read it (and anonymous visitors) cost no query.
    return {"kejia_has_role": SimpleLazyObject(lambda: bool(user is not None and scope.has_any_role(user)))}
