"""A S&T worker links their account to the profile organizations keep of them.

Knowing a name and an ID number is no proof: both are written on many forms. So linking takes
two steps, the same for the page and the API:

1. `start_account_link` — the name with the resident ID number (or the phone on file) finds the
   profile; a one-time code is then sent to the profile's own phone (SMS) or, without one, its
   e-mail (kejia.core.notify). A profile with neither cannot be linked online: the organization
   that lists the person adds a contact first.
2. `confirm_account_link` — the code proves that the person controls that contact; the account
   is linked. When the profile was linked to another account, that link is undone (the owner
   recovers a profile someone else had taken) and both steps are audited.

Every attempt is audited, failed ones too. Failed proofs are limited per account, per name tried
and per client address, codes per profile, and wrong codes per account (kejia.core.throttle).
Staff who manage an organization listing the person, or the linked account itself, undo a link
with `unlink_account`.
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core import codes, pii, throttle
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, PermissionDenied, ValidationFailed
from kejia.core.notify import notify
from kejia.core.validators import validate_phone, validate_resident_id
from kejia.people.choices import PersonStatus
from kejia.people.models import Person
from kejia.people.review_selectors import mask_email

PURPOSE = "people.link"
FAILED_PROOFS = throttle.Limit("link.user", "LINK_MAX_FAILURES", "LINK_WINDOW_SECONDS")
FAILED_PER_NAME = throttle.Limit("link.name", "LINK_MAX_FAILURES", "LINK_WINDOW_SECONDS", factor=2)
FAILED_PER_ADDRESS = throttle.Limit("link.ip", "LINK_MAX_FAILURES", "LINK_WINDOW_SECONDS", factor=4)
CODES_PER_PROFILE = throttle.Limit("link.person", "CODE_MAX_SENDS", "CODE_WINDOW_SECONDS")


@dataclasses.dataclass(frozen=True)
class LinkChallenge:
    """A code is on its way: where to (masked) and by which channel."""

    channel: str
    sent_to: str


def _subject(user) -> str:
    return f"user:{user.pk}"


def listing_organization(person: Person):
    """The organization that lists the person first: the one whose staff a request about the
    profile goes to (and the audit event is filed under)."""
    listing = person.listings.select_related("organization").order_by("pk").first()
    return listing.organization if listing else None


def _require_unlinked_user(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied()
    if Person.objects.filter(user=user, status=PersonStatus.ACTIVE).exists():
        raise DomainError("already_linked", _("Your account is already linked to a profile."))


def _failed(user, *, ip: str | None, reason: str, obj=None, proof: str = "", counters=()) -> None:
    """Count and audit a failed attempt; both commit even though the request is then refused."""
    throttle.hit(*counters)
    with transaction.atomic():
        record_event(
            actor=user,
            action="person.link_failed",
            obj=obj or user,
            organization=listing_organization(obj) if isinstance(obj, Person) else None,
            new={"reason": reason, "proof": proof, "user": user.pk},
            ip=ip,
        )


def start_account_link(*, user, name: str, resident_id: str = "", phone: str = "", ip: str | None = None) -> LinkChallenge:
    """Find the profile by name and resident ID number (or phone) and send a code to its own
    contact. Only keyed hashes are compared; a wrong proof says so without telling which part
    was wrong."""
    _require_unlinked_user(user)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [str(_("This field is required."))]
    if not (resident_id or "").strip() and not (phone or "").strip():
        errors["resident_id"] = [str(_("Give your resident ID number or your phone number."))]
    number = mobile = ""
    if (resident_id or "").strip():
        try:
            number = validate_resident_id(resident_id)
        except ValidationError as exc:
            errors["resident_id"] = exc.messages
    if (phone or "").strip() and not number:
        try:
            mobile = validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationFailed(errors)
    proof = "resident_id" if number else "phone"
    counters = [
        throttle.counter(FAILED_PROOFS, user.pk),
        throttle.counter(FAILED_PER_NAME, throttle.digest(name)),
        throttle.counter(FAILED_PER_ADDRESS, ip) if ip else None,
    ]
    throttle.check(*counters)
    candidates = Person.objects.filter(status=PersonStatus.ACTIVE, name=name)
    if number:
        candidates = candidates.filter(id_hash=pii.blind_index(number))
    else:
        candidates = candidates.filter(phone_hash=pii.blind_index(mobile))
    matches = list(candidates[:2])
    if len(matches) != 1:
        _failed(user, ip=ip, reason="no_match", proof=proof, counters=counters)
        raise DomainError(
            "no_match",
            _("No profile matches this name and number. Check them, or ask the organization that lists you to correct your record."),
            field="resident_id" if number else "phone",
        )
    person = matches[0]
    phone_on_file = pii.decrypt(person.phone_sealed) if person.phone_sealed else ""
    if not phone_on_file and not person.email:
        _failed(user, ip=ip, reason="no_contact", obj=person, proof=proof)
        raise DomainError(
            "no_contact", _("Your profile has no phone or e-mail to send a code to. Ask the organization that lists you to add one, then try again.")
        )
    sends = throttle.counter(CODES_PER_PROFILE, person.pk)
    throttle.check(sends)
    throttle.hit(sends)
    channel = "sms" if phone_on_file else "email"
    sent_to = person.phone_masked if phone_on_file else mask_email(person.email)
    with transaction.atomic():
        code = codes.issue(purpose=PURPOSE, subject=_subject(user), target=f"person:{person.pk}", channel=channel)
        record_event(
            actor=user,
            action="person.link_code_sent",
            obj=person,
            organization=listing_organization(person),
            new={"user": user.pk, "proof": proof, "channel": channel},
            ip=ip,
        )
        # No user on the notice: the code must never reach the inbox of the account asking for it.
        notify(
            kind="people.link_code",
            subject=_("Kejia code to link an account to your profile: %(code)s. If you did not ask for it, ignore it.") % {"code": code},
            email="" if phone_on_file else person.email,
            phone=phone_on_file,
        )
    return LinkChallenge(channel=channel, sent_to=sent_to)


def pending_account_link(user) -> LinkChallenge | None:
    """The code this account is waiting for, if any: what the confirmation step shows."""
    if not getattr(user, "is_authenticated", False):
        return None
    row = codes.pending(purpose=PURPOSE, subject=_subject(user))
    if row is None:
        return None
    person = Person.objects.filter(pk=int(row.target.split(":", 1)[1])).only("phone_masked", "email").first()
    if person is None:
        return None
    return LinkChallenge(channel=row.channel, sent_to=person.phone_masked if row.channel == "sms" else mask_email(person.email))


def confirm_account_link(*, user, code: str, ip: str | None = None) -> Person:
    """Link the account with the code sent to the profile's contact. A profile linked to another
    account moves to this one (its owner proved control); wrong codes count per account."""
    _require_unlinked_user(user)
    counters = [throttle.counter(FAILED_PROOFS, user.pk), throttle.counter(FAILED_PER_ADDRESS, ip) if ip else None]
    throttle.check(*counters)
    target = codes.redeem(purpose=PURPOSE, subject=_subject(user), code=code)
    if not target:
        _failed(user, ip=ip, reason="bad_code", proof="code", counters=counters)
        raise DomainError("bad_code", _("The code is not correct or has expired. Ask for a new one."), field="code")
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(pk=int(target.split(":", 1)[1]), status=PersonStatus.ACTIVE).first()
        if person is None:
            raise DomainError("no_match", _("This profile is no longer active. Ask the organization that lists you for help."))
        organization = listing_organization(person)
        previous = person.user_id
        if previous and previous != user.pk:
            record_event(
                actor=user,
                action="person.account_unlinked",
                obj=person,
                organization=organization,
                old={"user": previous},
                new={"user": None, "reason": "owner_proved_control"},
                ip=ip,
            )
            notify(
                kind="people.account_unlinked",
                user=person.user,
                subject=_("Your account was unlinked from the profile %(name)s: its owner proved control of it.") % {"name": person.name},
            )
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        record_event(
            actor=user,
            action="person.account_linked",
            obj=person,
            organization=organization,
            new={"user": user.pk, "proof": "code", "previous_user": previous},
            ip=ip,
        )
    throttle.clear(counters[0])
    return person


def can_unlink(user, person: Person) -> bool:
    if person.user_id and person.user_id == getattr(user, "pk", None):
        return True
    return any(scope.can_manage(user, listing.organization) for listing in person.listings.select_related("organization"))


@transaction.atomic
def unlink_account(person: Person, *, actor, reason: str, ip: str | None = None) -> Person:
    """Undo a link: staff of an organization listing the person (e.g. after a wrongful link),
    or the linked account itself."""
    if not can_unlink(actor, person):
        raise PermissionDenied(_("Only staff of an organization that lists this person, or the person themselves, can change this."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [str(_("Say why the link is undone."))]})
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.user_id:
        raise DomainError("not_linked", _("This profile is not linked to an account."))
    previous = person.user_id
    codes.void(purpose=PURPOSE, subject=f"user:{previous}")
    person.user = None
    person.save(update_fields=["user", "updated_at"])
    record_event(
        actor=actor,
        action="person.account_unlinked",
        obj=person,
        organization=listing_organization(person),
        old={"user": previous},
        new={"user": None, "reason": reason[:200]},
        ip=ip,
    )
    return person


# ---- After self-registration: link a sure match, ask staff about an uncertain one ---------

MAX_REVIEW_CANDIDATES = 3  # a name shared by more profiles than this is no lead: the person asks their organization


def link_after_registration(user, *, name: str, phone: str = "", email: str = "", ip: str | None = None):
    """The account was just made with a proved phone (or e-mail). One active, unlinked profile with
    that contact and that name: linked at once (the code proved control of the contact on file).
    Anything less certain — several such profiles, the profile linked to another account, the
    contact with another name, the name with another contact — becomes a LinkRequest per candidate
    (at most MAX_REVIEW_CANDIDATES) for staff of an organization listing the profile. Returns
    ("linked", person), ("review", None) or ("none", None). Runs in the caller's transaction."""
    from kejia.accounts.models import User
    from kejia.people.models import LinkRequest, LinkRequestReason

    active = Person.objects.filter(status=PersonStatus.ACTIVE)
    if phone:
        by_contact = list(active.filter(phone_hash=pii.blind_index(phone)).order_by("pk")[: MAX_REVIEW_CANDIDATES + 1])
    elif email:
        by_contact = list(active.filter(email__iexact=email).order_by("pk")[: MAX_REVIEW_CANDIDATES + 1])
    else:
        by_contact = []
    same_name = [p for p in by_contact if p.name == name]
    proof = "registration_phone" if phone else "registration_email"
    if len(same_name) == 1 and not same_name[0].user_id:
        person = Person.objects.select_for_update().get(pk=same_name[0].pk)
        if not person.user_id:
            person.user = user
            person.save(update_fields=["user", "updated_at"])
            record_event(
                actor=user,
                action="person.account_linked",
                obj=person,
                organization=listing_organization(person),
                new={"user": user.pk, "proof": proof, "previous_user": None},
                ip=ip,
            )
            notify(kind="people.account_linked", user=user, link="/people/me/", subject=_("Your account is now linked to your profile."))
            return "linked", person
    if same_name:
        reason = LinkRequestReason.SEVERAL if len(same_name) > 1 else LinkRequestReason.LINKED_ELSEWHERE
        candidates = [(p, reason) for p in same_name]
    elif by_contact:
        candidates = [(p, LinkRequestReason.NAME_DIFFERS) for p in by_contact]
    else:
        by_name = list(active.filter(name=name).order_by("pk")[: MAX_REVIEW_CANDIDATES + 1])
        candidates = [(p, LinkRequestReason.CONTACT_DIFFERS) for p in by_name] if len(by_name) <= MAX_REVIEW_CANDIDATES else []
    candidates = [(p, r) for p, r in candidates[:MAX_REVIEW_CANDIDATES] if listing_organization(p) is not None]
    if not candidates:
        return "none", None
    told = set()
    for person, reason in candidates:
        organization = listing_organization(person)
        request = LinkRequest.objects.create(user=user, person=person, reason=reason)
        record_event(
            actor=user,
            action="person.link_requested",
            obj=person,
            organization=organization,
            ip=ip,
            new={"user": user.pk, "reason": reason, "request": request.pk},
        )
        # Staff and administrators of the organization listing the profile are told (once each).
        for staff in User.objects.filter(roles__organization=organization, roles__kind__in=scope.MANAGE_KINDS, is_active=True).exclude(pk__in=told).distinct():
            told.add(staff.pk)
            notify(
                kind="people.link_request",
                user=staff,
                link="/people/link-requests/",
                subject=_("A person who registered may be a profile %(org)s lists: check the account link request.") % {"org": organization.name},
            )
    notify(
        kind="people.link_requested",
        user=user,
        link="/people/me/",
        subject=_("We found a profile that may be yours. Staff of the organization that lists you will check and link it."),
    )
    return "review", None


def on_user_registered(sender, *, user, name: str, phone: str = "", email: str = "", ip: str | None = None, **kwargs):
    """The answer to kejia.accounts.signals.user_registered: link the new account to its profile."""
    return link_after_registration(user, name=name, phone=phone, email=email, ip=ip)
