"""Grassroots key staff (三长 and the others 002 §(7) names): the categories as data, each
person's categories and the grassroots body that took them in, and the targets administrators
set per county and township."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kejia.core.models import TimeStamped


class Category(TimeStamped):
    """One category of grassroots key staff; administrators add, rename or retire them."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    is_chief = models.BooleanField(
        _("one of the 三长"), default=False, help_text=_("Heads and key staff of education, health and agricultural technology extension.")
    )
    source = models.CharField(_("source"), max_length=255, blank=True, help_text=_("The policy text the category comes from."))
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("key staff category")
        verbose_name_plural = _("key staff categories")

    def __str__(self) -> str:
        return self.name


class KeyStaff(TimeStamped):
    """A person in a category, and the grassroots body (township association, community
    association, rural technical association …) that took them in, when one has."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="key_staff_roles", verbose_name=_("person"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="people", verbose_name=_("category"))
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_staff",
        verbose_name=_("grassroots body that took them in"),
    )
    joined_on = models.DateField(_("taken in on"), null=True, blank=True)
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    note = models.CharField(_("post or note"), max_length=128, blank=True)

    class Meta:
        ordering = ["category__sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "category", "organization"], condition=Q(ended_on__isnull=True), name="key_staff_unique_current"),
            models.UniqueConstraint(
                fields=["person", "category"], condition=Q(ended_on__isnull=True, organization__isnull=True), name="key_staff_unique_unplaced"
            ),
        ]
        verbose_name = _("key staff record")
        verbose_name_plural = _("key staff records")

    def __str__(self) -> str:
        return f"{self.person} · {self.category}"


class Target(TimeStamped):
    """How many key staff a county or township association should have taken in (set by an
    administrator of it or above)."""

    organization = models.OneToOneField("organizations.Organization", on_delete=models.CASCADE, related_name="key_staff_target", verbose_name=_("association"))
    target = models.PositiveIntegerField(_("target"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("key staff target")
        verbose_name_plural = _("key staff targets")
