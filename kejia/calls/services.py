"""Writes on calls and application drafts. The state changes after a draft (submission,
recommendation, checks, decisions, payments) are in kejia.calls.workflow."""

import datetime
import json
import zoneinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.accounts.models import Role
from kejia.calls import forms_spec, prefill
from kejia.calls.choices import ApplicationStatus, CallStatus, Eligibility, Gate
from kejia.calls.errors import CODES
from kejia.calls.models import Application, Call, CallAttachment, FormDefinition
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from kejia.core.models import AuditEvent
from kejia.core.notify import notify
from kejia.core.richtext import sanitise
from kejia.organizations.kinds import OrgKind

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TEMPLATES_DIR = Path(__file__).resolve().parent / "data"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def load_template(code: str) -> dict:
    path = TEMPLATES_DIR / f"{code}.json"
    if not path.is_file() or "/" in code or "\\" in code:
        raise DomainError("unknown_template", _("No such call template."), field="template")
    return json.loads(path.read_text(encoding="utf-8"))


def template_codes() -> list[str]:
    return sorted(p.stem for p in TEMPLATES_DIR.glob("*.json"))


def templates() -> list[dict]:
    """The shipped templates: code, the form's title and the call's terms it sets."""
    out = []
    for code in template_codes():
        data = load_template(code)
        out.append({"code": code, "title": data["form"]["title"], "call": data["call"]})
    return out


def install_form(code: str) -> FormDefinition:
    """The template's form definition, created once per version (idempotent)."""
    data = load_template(code)["form"]
    forms_spec.check_spec(data["spec"])
    form, _created = FormDefinition.objects.get_or_create(
        code=data["code"], version=data["version"], defaults={"title": data["title"], "spec": data["spec"], "source": load_template(code).get("source", "")}
    )
    return form


def money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise DomainError("invalid", _("Give an amount in yuan."), field=field) from None
    if not amount.is_finite() or amount < 0:
        raise DomainError("invalid", _("Give an amount in yuan."), field=field)
    return amount.quantize(Decimal("0.01"))


def _check_tranches(tranches: list[dict]) -> list[dict]:
    clean, total = [], Decimal(0)
    for row, tranche in enumerate(tranches, start=1):
        share = money(tranche.get("share"), "tranches")
        if tranche.get("gate") not in Gate.values or share <= 0:
            raise DomainError("invalid", _("Each tranche needs a share above zero and a condition."), field="tranches", row=row)
        clean.append({"share": str(share), "gate": tranche["gate"]})
        total += share
    if clean and total != 100:
        raise DomainError("invalid", _("The tranches' shares must add up to 100 %."), field="tranches")
    return clean


def check_deadline(deadline) -> None:
    """An aware datetime in a sensible range (a year 1 or 9999 deadline cannot be stored in UTC)."""
    if not isinstance(deadline, datetime.datetime) or timezone.is_naive(deadline):
        raise DomainError("invalid", _("Give the deadline with its time zone."), field="deadline")
    if not 2000 <= deadline.year <= 2999:
        raise DomainError("invalid_date", _("Give a deadline between the years 2000 and 2999."), field="deadline")


def require_owner(call_or_org, actor) -> None:
    org = getattr(call_or_org, "owner", call_or_org)
    if not scope.can_manage(actor, org):
        raise NotFound() if not scope.can_view(actor, org) else PermissionDenied()


@transaction.atomic
def create_call(
    owner,
    *,
    actor,
    title: str,
    deadline: datetime.datetime,
    form: FormDefinition,
    min_amount,
    max_amount,
    notice: str = "",
    guide: str = "",
    topics: list | None = None,
    eligibility: str = Eligibility.ORGANIZATIONS,
    applicant_kinds: list | None = None,
    recommender_kinds: list | None = None,
    tranches: list | None = None,
    period_months: int = 12,
    quota_per_recommender: int | None = None,
    budget=None,
    announcement_days: int = 5,
    reference: str = "",
    source: str = "",
    attachments: list[str] | None = None,
) -> Call:
    require_owner(owner, actor)
    check_deadline(deadline)
    low, high = money(min_amount, "min_amount"), money(max_amount, "max_amount")
    if low > high:
        raise DomainError("invalid", _("The lowest amount is above the highest."), field="min_amount")
    for field, kinds in (("applicant_kinds", applicant_kinds or []), ("recommender_kinds", recommender_kinds or [])):
        if any(k not in OrgKind.values for k in kinds):
            raise DomainError("invalid", _("Unknown kind of organization."), field=field)
    call = Call.objects.create(
        owner=owner,
        title=title.strip(),
        reference=reference,
        notice=sanitise(notice),
        guide=sanitise(guide),
        topics=list(topics or []),
        eligibility=eligibility,
        applicant_kinds=list(applicant_kinds or []),
        recommender_kinds=list(recommender_kinds or []),
        min_amount=low,
        max_amount=high,
        budget=money(budget, "budget") if budget is not None else None,
        tranches=_check_tranches(tranches or []),
        period_months=period_months,
        deadline=deadline,
        quota_per_recommender=quota_per_recommender,
        announcement_days=announcement_days,
        form=form,
        source=source,
    )
    for position, title_ in enumerate(attachments or []):
        CallAttachment.objects.create(call=call, title=title_, position=position)
    record_event(actor=actor, action="calls.create_call", obj=call, organization=owner, new={"title": call.title, "deadline": call.deadline, "form": form.pk})
    return call


def create_call_from_template(owner, *, actor, template: str, deadline: datetime.datetime, **overrides) -> Call:
    """A draft call from a shipped template (e.g. "local_reform_pilot", seed 004), its form installed."""
    data = load_template(template)
    form = install_form(template)
    fields = {k: v for k, v in data["call"].items()}
    fields.update(overrides)
    return create_call(owner, actor=actor, deadline=deadline, form=form, source=data.get("source", ""), **fields)


# What a draft call's owner may still change (update_call); the form version is fixed at creation.
EDITABLE = (
    "title",
    "reference",
    "notice",
    "guide",
    "topics",
    "eligibility",
    "applicant_kinds",
    "recommender_kinds",
    "min_amount",
    "max_amount",
    "budget",
    "tranches",
    "period_months",
    "deadline",
    "quota_per_recommender",
    "announcement_days",
)


@transaction.atomic
def update_call(call: Call, *, actor, **changes) -> Call:
    """Change the terms of a call still in draft (a published call only has its deadline
    extended: extend_deadline). The same checks as create_call; audited with the fields changed."""
    require_owner(call, actor)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status != CallStatus.DRAFT:
        raise IllegalTransition("illegal_transition", _("Only a draft call can be edited; a published call's deadline can be extended."))
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise DomainError("unknown_field", _("This field cannot be changed."), field=unknown[0])
    for field, value in changes.items():
        if value is None and field not in ("budget", "quota_per_recommender"):
            raise DomainError("required", _("This field cannot be empty."), field=field)
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise DomainError("required", _("Give the call a title."), field="title")
    if "deadline" in changes:
        check_deadline(changes["deadline"])
    for field in ("min_amount", "max_amount"):
        if field in changes:
            changes[field] = money(changes[field], field)
    if "budget" in changes and changes["budget"] is not None:
        changes["budget"] = money(changes["budget"], "budget")
    if "tranches" in changes:
        changes["tranches"] = _check_tranches(changes["tranches"] or [])
    for field in ("notice", "guide"):
        if field in changes:
            changes[field] = sanitise(changes[field] or "")
    for field in ("applicant_kinds", "recommender_kinds"):
        if field in changes and any(k not in OrgKind.values for k in changes[field] or []):
            raise DomainError("invalid", _("Unknown kind of organization."), field=field)
    if "eligibility" in changes and changes["eligibility"] not in Eligibility.values:
        raise DomainError("invalid", _("Choose who may apply."), field="eligibility")
    low, high = changes.get("min_amount", call.min_amount), changes.get("max_amount", call.max_amount)
    if low > high:
        raise DomainError("invalid", _("The lowest amount is above the highest."), field="min_amount")
    old = {field: getattr(call, field) for field in changes}
    for field, value in changes.items():
        setattr(call, field, value)
    call.save()
    changed = sorted(f for f in changes if old[f] != changes[f])
    record_event(
        actor=actor,
        action="calls.update_call",
        obj=call,
        organization=call.owner,
        old={f: old[f] for f in changed},
        new={f: changes[f] for f in changed},
    )
    return call


def tell(organization, subject: str, body: str = "") -> None:
    """A notice (kejia.core.notify) to every person holding a managing role in the organization."""
    if organization is None:
        return
    for role in Role.objects.filter(organization=organization, kind__in=scope.MANAGE_KINDS).select_related("user"):
        notify(kind="calls", subject=str(subject)[:200], body=body, user=role.user)


# The applications whose applicants and recommending organizations a new deadline concerns.
IN_PROGRESS = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED, ApplicationStatus.SUBMITTED, ApplicationStatus.RECOMMENDED)


@transaction.atomic
def extend_deadline(call: Call, *, actor, deadline: datetime.datetime, reason: str, now: datetime.datetime | None = None) -> Call:
    """Move a published call's deadline later (a draft's is simply edited), with the reason;
    audited, and everyone concerned told: the applicants with a draft or an application under way
    and their recommending organizations (one notice per person)."""
    require_owner(call, actor)
    call = Call.objects.select_for_update().select_related("owner").get(pk=call.pk)
    if call.status != CallStatus.PUBLISHED:
        raise IllegalTransition("illegal_transition", _("Only a published call's deadline can be extended."))
    if not (reason or "").strip():
        raise DomainError("reason_required", CODES["reason_required"], field="reason")
    check_deadline(deadline)
    if deadline <= call.deadline or deadline <= (now or timezone.now()):
        raise DomainError("invalid", _("The new deadline must be later than the present one and in the future."), field="deadline")
    before = call.deadline
    call.deadline = deadline
    call.save(update_fields=["deadline", "updated_at"])
    record_event(
        actor=actor,
        action="calls.extend_deadline",
        obj=call,
        organization=call.owner,
        old={"deadline": before},
        new={"deadline": deadline, "reason": reason.strip()},
    )
    shown = timezone.localtime(deadline, SHANGHAI).strftime("%Y-%m-%d %H:%M")
    subject = gettext("%(call)s: the deadline is extended to %(deadline)s (Beijing time)") % {"call": call.title, "deadline": shown}
    users = {}
    in_progress = Application.objects.filter(call=call, status__in=IN_PROGRESS)
    orgs = set(in_progress.exclude(applicant=None).values_list("applicant", flat=True))
    orgs |= set(in_progress.exclude(recommender=None).values_list("recommender", flat=True))
    for role in Role.objects.filter(organization__in=orgs, kind__in=scope.MANAGE_KINDS).select_related("user"):
        users[role.user_id] = role.user
    for application in in_progress.filter(applicant=None).exclude(applicant_user=None).select_related("applicant_user"):
        users[application.applicant_user_id] = application.applicant_user
    for user in users.values():
        notify(kind="calls", subject=subject[:200], body=reason.strip(), user=user)
    return call


def _set_call_status(call: Call, status: str, *, actor, allowed_from: set[str]) -> Call:
    require_owner(call, actor)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status not in allowed_from:
        raise IllegalTransition("illegal_transition", CODES["illegal_transition"])
    before = call.status
    call.status = status
    call.save(update_fields=["status", "updated_at"])
    record_event(actor=actor, action=f"calls.{status}", obj=call, organization=call.owner, old={"status": before}, new={"status": status})
    return call


@transaction.atomic
def publish_call(call: Call, *, actor) -> Call:
    return _set_call_status(call, CallStatus.PUBLISHED, actor=actor, allowed_from={CallStatus.DRAFT})


@transaction.atomic
def close_call(call: Call, *, actor) -> Call:
    return _set_call_status(call, CallStatus.CLOSED, actor=actor, allowed_from={CallStatus.PUBLISHED})


# ---- applications -------------------------------------------------------------------------------


def acts_for(user, organization) -> bool:
    """The user holds a managing role in the organization itself (not only above it)."""
    if scope.is_unrestricted(user):
        return True
    return bool(getattr(user, "is_authenticated", False)) and Role.objects.filter(user=user, organization=organization, kind__in=scope.MANAGE_KINDS).exists()


def recommender_for(call: Call, applicant):
    """The nearest organization at or above the applicant whose kind recommends for the call."""
    if not call.recommender_kinds:
        return None
    org = applicant
    while org is not None:
        if org.kind in call.recommender_kinds:
            return org
        org = org.parent
    raise DomainError("no_recommender", CODES["no_recommender"], field="applicant")


def facts(application: Application) -> dict:
    """What form conditions may test about an application."""
    kind = application.applicant.kind if application.applicant_id else ""
    return {"applicant_is_provincial": kind == OrgKind.PROVINCIAL_ASSOCIATION, "applicant_kind": kind}


def money_range(call: Call) -> tuple[Decimal, Decimal]:
    return call.min_amount, call.max_amount


def check_open(call: Call, *, now: datetime.datetime | None = None) -> None:
    if call.status != CallStatus.PUBLISHED:
        raise DomainError("call_not_open", CODES["call_not_open"])
    if (now or timezone.now()) > call.deadline:
        raise DomainError("deadline_passed", CODES["deadline_passed"], field="deadline")


@transaction.atomic
def create_application(call: Call, *, actor, applicant=None, title: str = "", topic: str = "", now: datetime.datetime | None = None) -> Application:
    """A draft for an organization (applicant) or, in calls open to individuals, for the actor."""
    check_open(call, now=now)
    if call.eligibility == Eligibility.ORGANIZATIONS:
        if applicant is None or not acts_for(actor, applicant):
            raise PermissionDenied(_("Apply in the name of an organization in which you hold a role."))
        if call.applicant_kinds and applicant.kind not in call.applicant_kinds:
            raise DomainError("not_eligible", CODES["not_eligible"], field="applicant")
        recommender = recommender_for(call, applicant)
    else:
        if not getattr(actor, "is_authenticated", False):
            raise PermissionDenied()
        applicant, recommender = None, None
    if topic and topic not in {str(t.get("code")) for t in call.topics}:
        raise DomainError("invalid", _("Choose one of the call's topics."), field="topic")
    application = Application.objects.create(
        call=call,
        form=call.form,
        applicant=applicant,
        applicant_path=applicant.path if applicant else "",
        applicant_user=actor if applicant is None else None,
        recommender=recommender,
        recommender_path=recommender.path if recommender else "",
        title=title.strip()[:200],
        topic=topic,
    )
    # Units and people from the tree and the talent database, as the form definition names them.
    application.data = forms_spec.validate_answers(call.form.spec, prefill.initial(application, call.form.spec), facts=facts(application), complete=False)
    application.save(update_fields=["data"])
    record_event(
        actor=actor,
        action="calls.create_application",
        obj=application,
        organization=call.owner,
        new={"call": call.pk, "applicant": application.applicant_id, "recommender": application.recommender_id},
    )
    return application


def is_applicant(user, application: Application) -> bool:
    if application.applicant_id:
        return acts_for(user, application.applicant)
    return bool(getattr(user, "pk", None)) and application.applicant_user_id == user.pk


def _changed_by_others(application: Application, actor, *, since: datetime.datetime) -> bool:
    """Someone other than `actor` saved or moved the application after `since` (one's own
    earlier saves, e.g. the page's automatic ones, never count against one)."""
    events = AuditEvent.objects.filter(object_type=Application._meta.label_lower, object_id=str(application.pk), created_at__gt=since)
    return events.exclude(actor_id=getattr(actor, "pk", None)).exists()


@transaction.atomic
def save_draft(
    application: Application,
    *,
    actor,
    data: dict,
    title: str | None = None,
    topic: str | None = None,
    requested_amount=None,
    now: datetime.datetime | None = None,
    based_on: datetime.datetime | None = None,
) -> Application:
    """Store the answers so far; only what is filled in is checked (types, money range).

    Several people of the applying unit may edit one application: `based_on` is the version
    (`updated_at`) the editor's page was built from, and a save over someone else's newer one is
    refused rather than silently undoing their work."""
    application = Application.objects.select_for_update(of=("self",)).select_related("call", "form", "applicant").get(pk=application.pk)
    if not is_applicant(actor, application):
        raise PermissionDenied()
    if based_on is not None and application.updated_at != based_on and _changed_by_others(application, actor, since=based_on):
        raise DomainError("edited_elsewhere", CODES["edited_elsewhere"])
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
        raise IllegalTransition("illegal_transition", CODES["illegal_transition"])
    check_open(application.call, now=now)
    if not isinstance(data, dict):
        raise DomainError("invalid", _("The answers have the wrong form."), field="data")
    cleaned = forms_spec.validate_answers(application.form.spec, data, facts=facts(application), money_range=money_range(application.call), complete=False)
    application.data = cleaned
    if title is not None:
        application.title = title.strip()[:200]
    if topic is not None:
        if topic and topic not in {str(t.get("code")) for t in application.call.topics}:
            raise DomainError("invalid", _("Choose one of the call's topics."), field="topic")
        application.topic = topic
    if requested_amount is not None:
        amount = money(requested_amount, "requested_amount")
        if not application.call.min_amount <= amount <= application.call.max_amount:
            raise DomainError(
                "amount_out_of_range",
                gettext("The amount must be between %(low)s and %(high)s yuan.") % {"low": application.call.min_amount, "high": application.call.max_amount},
                field="requested_amount",
            )
        application.requested_amount = amount
    application.save()
    record_event(
        actor=actor,
        action="calls.save_draft",
        obj=application,
        organization=application.call.owner,
        new={"fields": [f["label"] for f in forms_spec.fields(application.form.spec) if f["key"] in cleaned]},
    )
    return application
