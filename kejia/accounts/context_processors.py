"""Template context for every page: the number of unread notices of the signed-in account (the
bell in the header). Lazy: a page that does not show it, or an anonymous visitor, costs no query."""

from django.utils.functional import SimpleLazyObject


def notices(request) -> dict:
    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        from kejia.accounts.notices import unread_count

        return unread_count(user)

    return {"kejia_unread_notices": SimpleLazyObject(count)}
