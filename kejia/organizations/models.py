"""The organization tree, the host units it is measured against, and online filings."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kejia.core.models import TimeStamped
from kejia.core.validators import validate_uscc
from kejia.organizations.kinds import (
    SOCIETY_KINDS,
    STRUCTURED_KINDS,
    InstitutionKind,
    OrgKind,
    OrgStatus,
    PartyCoverage,
    SocietyClass,
)

PATH_SEGMENT = 6  # base-36 characters per level: ids up to 2 176 782 335
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def encode_segment(pk: int) -> str:
    out = ""
    while pk:
        pk, rem = divmod(pk, 36)
        out = _B36[rem] + out
    return out.rjust(PATH_SEGMENT, "0")


def decode_path(path: str) -> list[int]:
    return [int(path[i : i + PATH_SEGMENT], 36) for i in range(0, len(path), PATH_SEGMENT)]


class Institution(TimeStamped):
    """A unit known to the system where S&T workers are (a university, park, large enterprise,
    institute, hospital) whether or not it has an association yet: the base of coverage analysis."""

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=24, choices=InstitutionKind.choices)
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    is_large = models.BooleanField(_("large (above designated size)"), default=False)
    staff_count = models.PositiveIntegerField(_("S&T staff"), default=0)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="institution_uscc_unique")]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name


class Organization(TimeStamped):
    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("Short unique code, e.g. JS-KX-320102"))
    name = models.CharField(_("name"), max_length=128, db_index=True)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("guiding organization"))
    # Materialized path: ancestors' ids in base 36, PATH_SEGMENT characters each, self last.
    # Its unique index serves prefix queries (on PostgreSQL Django adds the *_like pattern index).
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    region = models.ForeignKey("reference.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("region"))
    disciplines = models.ManyToManyField("reference.Discipline", blank=True, related_name="organizations", verbose_name=_("disciplines"))
    status = models.CharField(_("status"), max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE, db_index=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    term_start = models.DateField(_("current term start"), null=True, blank=True)
    term_end = models.DateField(_("current term end"), null=True, blank=True)
    fulltime_staff = models.PositiveIntegerField(_("full-time staff"), default=0)
    party_coverage = models.CharField(_("party organization"), max_length=16, choices=PartyCoverage.choices, default=PartyCoverage.NONE)
    society_class = models.CharField(
        _("society class"),
        max_length=16,
        choices=SocietyClass.choices,
        default=SocietyClass.ORDINARY,
        help_text=_("For learned societies: the class given by evaluation."),
    )
    # County capacity (001 九; 003 二.4): unknown until recorded, hence nullable.
    is_independent_unit = models.BooleanField(_("independent unit (own establishment)"), null=True, blank=True)
    has_party_group = models.BooleanField(_("leading party group"), null=True, blank=True)
    leader_in_charge = models.CharField(_("Party committee leader in charge"), max_length=128, blank=True, default="")
    leader_in_contact = models.CharField(_("government leader in contact"), max_length=128, blank=True, default="")
    is_legal_person = models.BooleanField(_("legal person"), default=False)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    host = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="associations", verbose_name=_("host unit"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("introduction"), blank=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="org_uscc_unique"),
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True) | models.Q(term_start__isnull=True) | models.Q(term_end__gte=models.F("term_start")),
                name="org_term_order",
            ),
        ]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.uscc:
            try:
                self.uscc = validate_uscc(self.uscc)
            except ValidationError as exc:
                errors["uscc"] = exc.messages
        elif self.is_legal_person:
            errors["uscc"] = [_("A legal person must give its unified social credit code.")]
        if self.society_class and self.society_class != SocietyClass.ORDINARY and self.kind not in SOCIETY_KINDS:
            errors["society_class"] = [_("Only a learned society has a society class.")]
        if self.kind not in STRUCTURED_KINDS:
            for name in ("is_independent_unit", "has_party_group", "leader_in_charge", "leader_in_contact"):
                if getattr(self, name) not in (None, ""):
                    errors[name] = [_("Only a provincial, municipal or county association records this.")]
        if self.term_start and self.term_end and self.term_end < self.term_start:
            errors["term_end"] = [_("The term cannot end before it starts.")]
        if errors:
            raise ValidationError(errors)

    @property
    def ancestor_ids(self) -> list[int]:
        return decode_path(self.path)[:-1]

    def is_within(self, other: "Organization") -> bool:
        return self.path.startswith(other.path)


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Filing(TimeStamped):
    """Online filing (备案) of a new enterprise or park association (002 §(8)): submitted by its
    founders to the guiding association, approved (the organization is created) or returned."""

    status = models.CharField(_("status"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED, db_index=True)
    name = models.CharField(_("name of the new association"), max_length=128)
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    parent = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="filings", verbose_name=_("guiding association"))
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    host_name = models.CharField(_("host enterprise or park"), max_length=128)
    host_uscc = models.CharField(_("host's unified social credit code"), max_length=18)
    host = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    founded_on = models.DateField(_("founding date"))
    member_count = models.PositiveIntegerField(_("number of S&T workers"))
    chair_name = models.CharField(_("chair"), max_length=64)
    contact_name = models.CharField(_("contact person"), max_length=64)
    contact_phone_sealed = models.TextField(blank=True, default="")
    charter_summary = models.TextField(_("charter and purpose"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filings")
    submitted_at = models.DateTimeField(_("submitted at"), null=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    organization = models.OneToOneField(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="filing")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("filing")
        verbose_name_plural = _("filings")

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        from kejia.core import pii

        return pii.mask_phone(pii.decrypt(self.contact_phone_sealed)) if self.contact_phone_sealed else ""
