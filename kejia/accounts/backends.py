from django.contrib.auth.backends import ModelBackend

from kejia.accounts.models import User
from kejia.core import pii
from kejia.core.validators import normalize_phone


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with a username or with the phone number (found by its keyed hash)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        ident = username.strip()
        user = User.objects.filter(username=ident).first()
        if user is None:
            phone = normalize_phone(ident)
            if phone.isdigit() and len(phone) == 11:
                user = User.objects.filter(phone_hash=pii.blind_index(phone)).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
