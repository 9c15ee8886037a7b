from django.contrib.auth.backends import ModelBackend

from kejia.accounts.models import User


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with a username or with the phone number (found by its keyed hash)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from kejia.accounts.services import find_account  # services import authenticate, which loads this backend

        if not username or password is None:
            return None
        user = find_account(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
