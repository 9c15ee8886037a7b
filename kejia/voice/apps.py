from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "kejia.voice"
    label = "voice"
    verbose_name = _("Voice")
