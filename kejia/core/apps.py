from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kejia.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.conf import settings
        from django.core import checks
        from django.utils.module_loading import autodiscover_modules

        from kejia.core import (
            errors,
            lookups,  # noqa: F401  (registers the path-prefix lookup)
        )
        from kejia.core.keys import check_development_keys, check_development_keys_deploy, refuse_development_keys

        checks.register(check_development_keys, checks.Tags.security)
        checks.register(check_development_keys_deploy, checks.Tags.security, deploy=True)
        # Every app's error codes (kejia/<app>/errors.py); in tests an unregistered code raises.
        autodiscover_modules("errors")
        errors.be_strict(getattr(settings, "ERROR_CODES_STRICT", False))
        refuse_development_keys(settings)  # every entry point runs this: server, manage.py, worker
