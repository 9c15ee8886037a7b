from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipsConfig(AppConfig):
    name = "kejia.memberships"
    label = "memberships"
    verbose_name = _("Memberships")

    def ready(self) -> None:
        from kejia.core import signing
        from kejia.memberships.certificate_views import MEMBERSHIP_CERTIFICATE

        signing.register_kind(MEMBERSHIP_CERTIFICATE)
