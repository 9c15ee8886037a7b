"""Users, their roles in organizations and API tokens (login throttling: kejia.core.throttle)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kejia.core import pii


class User(AbstractUser):
    """A person who logs in. A S&T worker holds no role; staff, leaders and administrators
    hold roles in organizations (Role). The phone is personal data: stored sealed, found by
    its keyed hash, shown masked."""

    display_name = models.CharField(pgettext_lazy("person", "name"), max_length=64, blank=True)
    phone_sealed = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(fields=["phone_hash"], condition=~models.Q(phone_hash=""), name="user_phone_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def phone_masked(self) -> str:
        return pii.mask_phone(pii.decrypt(self.phone_sealed)) if self.phone_sealed else ""

    def set_phone(self, phone: str) -> None:
        self.phone_sealed = pii.encrypt(phone)
        self.phone_hash = pii.blind_index(phone)


class RoleKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


class Role(models.Model):
    """A role held in one organization; it covers that organization and everything below."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user"))
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="roles", verbose_name=_("organization"))
    kind = models.CharField(_("role"), max_length=16, choices=RoleKind.choices)
    title = models.CharField(pgettext_lazy("post", "title"), max_length=64, blank=True, help_text=_("e.g. vice-chair, secretary-general"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization", "kind"], name="role_unique")]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_kind_display()}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        indexes = [models.Index(fields=["user", "revoked_at"])]
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}".strip()

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at is None or self.expires_at <= timezone.now()


class PrivacyConsent(models.Model):
    """A person's consent to the privacy notice (PIPL), given when registering: which version of
    the notice they read and when. Kept for as long as the account exists."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_consents", verbose_name=_("user"))
    notice_version = models.CharField(_("privacy notice version"), max_length=32)
    given_at = models.DateTimeField(_("consent given"))
    channel = models.CharField(max_length=8, blank=True, help_text="how the contact was proved: sms or email")

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("privacy consent")
        verbose_name_plural = _("privacy consents")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.notice_version}"
