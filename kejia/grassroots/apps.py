from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrassrootsConfig(AppConfig):
    name = "kejia.grassroots"
    label = "grassroots"
    verbose_name = _("Grassroots key staff")

    def ready(self) -> None:
        from kejia.core.sections import register_section
        from kejia.grassroots.selectors import person_section

        # The person's profile shows their key staff records (people imports no domain app).
        register_section("people.detail", template="grassroots/_person_section.html", context=person_section)
