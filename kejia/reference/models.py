"""Reference data: administrative divisions (GB/T 2260, townships GB/T 10114) and disciplines
(GB/T 13745). Rows are loaded by `manage.py load_reference`, never edited by hand."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township / street")


class Region(models.Model):
    code = models.CharField(_("division code"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Ancestor codes, each padded to 9 digits, province first: subtree = path prefix.
    path = models.CharField(max_length=40, unique=True)
    full_name = models.CharField(_("full name"), max_length=160)

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")

    def __str__(self) -> str:
        return self.full_name or self.name

    @staticmethod
    def path_segment(code: str) -> str:
        return code.ljust(9, "0")


class Discipline(models.Model):
    code = models.CharField(_("discipline code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
