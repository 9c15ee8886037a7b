"""Self-registration of S&T workers (issue 16): an account made with a phone or an e-mail address
that a one-time code proves, after an explicit consent to the privacy notice; then the
talent-database profile is linked or a review by staff is asked (kejia.people.linking).

Two steps, the same for the page and the API:

1. `start_registration` — the contact and the consent. A code goes to the contact (SMS or e-mail,
   kejia.core.notify). When an account already holds that contact no code goes out: its owner is
   told instead (log in, or reset the password). The answer is the same in both cases, so the form
   tells nobody whether a phone or an address is registered. Codes are limited per contact and
   per client address (kejia.core.throttle); wrong codes per contact and per address.
2. `complete_registration` — the code, the name and a password. The account is made, the consent
   recorded (time and version of the notice), and the profile found by the proved contact and
   the name: one sure match is linked at once; an uncertain one becomes a request that staff of
   the organization holding the profile approve or refuse.
"""

import dataclasses
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts.models import PrivacyConsent, User
from kejia.accounts.signals import user_registered
from kejia.core import codes, pii, throttle
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, ValidationFailed
from kejia.core.notify import notify
from kejia.core.validators import validate_phone

# The version of the privacy notice shown on the registration page (templates/accounts/_privacy_notice.html).
# Change it with the text: each consent records the version that was read.
PRIVACY_NOTICE_VERSION = "2026-12-07"
PURPOSE = "accounts.register"
SENDS_PER_CONTACT = throttle.Limit("register.to", "CODE_MAX_SENDS", "CODE_WINDOW_SECONDS")
PER_ADDRESS = throttle.Limit("register.ip", "CODE_MAX_SENDS", "CODE_WINDOW_SECONDS", factor=4)
WRONG_CODES_PER_CONTACT = throttle.Limit("register.fail", "CODE_MAX_TRIES", "CODE_WINDOW_SECONDS", factor=2)


@dataclasses.dataclass(frozen=True)
class Contact:
    channel: str  # "sms" or "email"
    value: str  # the normalised phone or the lower-cased e-mail address

    @property
    def masked(self) -> str:
        if self.channel == "sms":
            return pii.mask_phone(self.value)
        local, domain = self.value.split("@", 1)
        return f"{local[:1]}***@{domain}"

    @property
    def subject(self) -> str:
        return f"reg:{throttle.digest(self.value)[:56]}"


@dataclasses.dataclass(frozen=True)
class Registration:
    user: User
    profile: str  # "linked", "review" or "none"
    person: object = None


def parse_contact(text: str) -> Contact:
    """A mobile phone in any spelling, or an e-mail address; a clear error on the field otherwise."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"contact": [str(_("Give your mobile phone number or your e-mail address."))]})
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationFailed({"contact": [str(_("Enter a valid e-mail address."))]}) from None
        return Contact("email", text.lower())
    try:
        return Contact("sms", validate_phone(text))
    except ValidationError as exc:
        raise ValidationFailed({"contact": exc.messages}) from None


def account_with(contact: Contact) -> User | None:
    if contact.channel == "sms":
        return User.objects.filter(phone_hash=pii.blind_index(contact.value)).first()
    return User.objects.filter(email__iexact=contact.value).first() or User.objects.filter(username__iexact=contact.value).first()


def _require_consent(consent) -> None:
    if consent is not True:
        raise ValidationFailed({"consent": [str(_("Read the privacy notice and tick the box to agree to it: without your consent no account can be made."))]})


def start_registration(*, contact: str, consent: bool, ip: str | None = None) -> Contact:
    """Send a registration code to `contact` (or, when an account holds it, a notice to its owner).
    The caller answers the same in both cases: "a code was sent to <masked contact>"."""
    _require_consent(consent)
    target = parse_contact(contact)
    counters = [throttle.counter(SENDS_PER_CONTACT, throttle.digest(target.value)), throttle.counter(PER_ADDRESS, ip) if ip else None]
    throttle.check(*counters)
    throttle.hit(*counters)
    phone = target.value if target.channel == "sms" else ""
    email = target.value if target.channel == "email" else ""
    with transaction.atomic():
        existing = account_with(target)
        if existing is not None:
            codes.void(purpose=PURPOSE, subject=target.subject)
            record_event(actor=None, action="user.registration_existing", obj=existing, new={"channel": target.channel}, ip=ip)
            notify(
                kind="account.register_existing",
                phone=phone,
                email=email,
                subject=_(
                    "Someone asked to register a Kejia account with this contact, which already has one. "
                    "If it was you, log in or reset your password. Otherwise ignore this message."
                ),
            )
        else:
            code = codes.issue(purpose=PURPOSE, subject=target.subject, target=target.channel, channel=target.channel)
            # No user on the notice: the code belongs to no account's inbox.
            notify(
                kind="account.register_code",
                phone=phone,
                email=email,
                subject=_("Kejia registration code: %(code)s. If you did not ask for it, ignore it.") % {"code": code},
            )
    return target


def _new_username(contact: Contact) -> str:
    if contact.channel == "email" and len(contact.value) <= 150 and not User.objects.filter(username__iexact=contact.value).exists():
        return contact.value
    while True:  # a phone number is personal data: never a username, which others may see
        name = f"kj{secrets.randbelow(10**8):08d}"
        if not User.objects.filter(username=name).exists():
            return name


def complete_registration(*, contact: str, code: str, name: str, password: str, consent: bool, ip: str | None = None) -> Registration:
    """Make the account with the code sent by `start_registration`, record the consent, then link
    the profile or ask staff to review the match. A wrong code counts per contact and per address."""
    _require_consent(consent)
    target = parse_contact(contact)
    name = " ".join((name or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [str(_("Give your name as the organizations that list you write it."))]
    elif len(name) > 64:
        errors["name"] = [str(_("A name has at most 64 characters."))]
    try:
        validate_password(password or "")
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationFailed(errors)
    counters = [throttle.counter(WRONG_CODES_PER_CONTACT, throttle.digest(target.value)), throttle.counter(PER_ADDRESS, ip) if ip else None]
    throttle.check(*counters)
    if codes.redeem(purpose=PURPOSE, subject=target.subject, code=code) is None:
        throttle.hit(*counters)
        raise DomainError("bad_code", _("The code is not correct or has expired. Ask for a new one."), field="code")
    with transaction.atomic():
        if account_with(target) is not None:  # made meanwhile by another request with the same code's contact
            raise DomainError("bad_code", _("The code is not correct or has expired. Ask for a new one."), field="code")
        user = User(username=_new_username(target), display_name=name)
        if target.channel == "sms":
            user.set_phone(target.value)
        else:
            user.email = target.value
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise DomainError("bad_code", _("The code is not correct or has expired. Ask for a new one."), field="code") from None
        consent_row = PrivacyConsent.objects.create(user=user, notice_version=PRIVACY_NOTICE_VERSION, given_at=timezone.now(), channel=target.channel)
        record_event(
            actor=user,
            action="user.registered",
            obj=user,
            ip=ip,
            new={
                "username": user.username,
                "display_name": name,
                "channel": target.channel,
                "privacy_notice": PRIVACY_NOTICE_VERSION,
                "consent_at": consent_row.given_at.isoformat(),
            },
        )
        answers = [
            answer
            for _receiver, answer in user_registered.send(
                sender=User,
                user=user,
                name=name,
                phone=target.value if target.channel == "sms" else "",
                email=target.value if target.channel == "email" else "",
                ip=ip,
            )
            if answer
        ]
        outcome, person = answers[0] if answers else ("none", None)
        notify(
            kind="account.welcome",
            user=user,
            link="/people/me/",
            subject=_("Welcome to Kejia, %(name)s. Your account is ready.") % {"name": name},
            body=_("Log in with your phone or e-mail and your password. Your profile page shows what the organizations that list you keep about you."),
        )
    throttle.clear(counters[0])
    return Registration(user=user, profile=outcome, person=person)
