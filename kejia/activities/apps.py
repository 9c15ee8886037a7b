from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "kejia.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from kejia.activities import certificates
        from kejia.core import signing

        signing.register_kind(
            signing.CertificateKind(
                prefix=certificates.PREFIX, check=certificates.check_token, describe=certificates.describe, template="activities/verify.html"
            )
        )
