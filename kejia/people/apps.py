from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "kejia.people"
    label = "people"
    verbose_name = _("Talent database")

    def ready(self):
        from kejia.accounts.signals import user_registered
        from kejia.people import linking

        user_registered.connect(linking.on_user_registered, dispatch_uid="people.link_after_registration")
