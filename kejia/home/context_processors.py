"""Template context for every page: whether the signed-in user holds a role anywhere, so the
navigation shows staff pages to staff and a S&T worker only the pages of their online home, and
which menu entries lead somewhere for this user (an entry with nothing behind it is not shown)."""

from django.utils.functional import SimpleLazyObject

from kejia.accounts import scope
from kejia.organizations import selectors as organizations


class Menu:
    """Lazy answers for the entries of the main menu that not every user has something behind.
    Each is asked at most once per request, and only by a page that renders the menu."""

    def __init__(self, user):
        self.user = user
        self._answers: dict[str, bool] = {}
        self._facts: dict[str, bool] | None = None

    def _answer(self, key, compute) -> bool:
        if key not in self._answers:
            self._answers[key] = bool(self.user is not None and self.user.is_authenticated and compute())
        return self._answers[key]

    @property
    def has_role(self) -> bool:
        return self._answer("has_role", lambda: scope.has_any_role(self.user))

    @property
    def governance(self) -> bool:
        """Staff and leaders see their bodies; a S&T worker only a contact duty of theirs."""
        return self._answer("governance", lambda: self.has_role or self._worker_facts()["duty"])

    @property
    def reviews(self) -> bool:
        """My reviews (/review/): whoever holds a role (the staff who may run a review round, as
        "Calls we run": no query beyond `has_role`, which the menu asks first), and a S&T worker
        invited to review."""
        return self._answer("reviews", lambda: self.has_role or self._worker_facts()["invited"])

    def _worker_facts(self) -> dict[str, bool]:
        """For a user without a role, what the menu needs of their own records in one query:
        a contact duty (Governance) and an invitation to review (My reviews)."""
        if self._facts is None:
            from django.contrib.auth import get_user_model
            from django.db.models import Exists

            from kejia.governance.selectors import my_contact_duties
            from kejia.review.selectors import my_invitations

            row = (
                get_user_model()
                .objects.filter(pk=self.user.pk)
                .annotate(duty=Exists(my_contact_duties(self.user)), invited=Exists(my_invitations(self.user)))
                .values("duty", "invited")
                .first()
            )
            self._facts = row or {"duty": False, "invited": False}
        return self._facts

    @property
    def coverage(self) -> bool:
        """Coverage is analysed by territory: a society's staff has none (the page would be empty)."""
        return self._answer("coverage", lambda: organizations.has_territorial_role(self.user))


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    # Lazy: pages that never read it (and anonymous visitors) cost no query.
    return {"kejia_has_role": SimpleLazyObject(lambda: bool(user is not None and scope.has_any_role(user))), "kejia_menu": Menu(user)}
