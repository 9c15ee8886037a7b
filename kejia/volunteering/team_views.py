"""Volunteer team pages: a team (members, services, demands taken), a new team under an
organization, members joining, changing role and leaving, services recorded or reported, confirmed,
rejected and corrected."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.core.errors import PermissionDenied
from kejia.core.web import submit
from kejia.organizations import selectors as org_selectors
from kejia.volunteering import access, forms, records, selectors, services
from kejia.volunteering.choices import DemandStatus, ServiceStatus
from kejia.volunteering.models import ServiceDemand


def _team_context(request, team, **bound) -> dict:
    user = request.user
    manage = access.can_manage_team(user, team)
    runs = access.can_run_team(user, team)
    f = {}
    if manage:
        f["member"] = forms.MemberForm(prefix="member")
    f.update(bound)
    return {
        "team": team,
        "manage": manage,
        "runs": runs,
        "member": access.is_member(user, team),
        "f": f,
        "members": list(selectors.members_of(team, include_left=manage)),
        "services": list(selectors.services_of_team(team)[:30]),
        "demands": list(ServiceDemand.objects.filter(team=team).select_related("organization").order_by("-wanted_from")[:20]),
        "totals": selectors.subtree_totals(team),
        "role_form": forms.MemberRoleForm(prefix="role") if manage else None,
        "breadcrumb": org_selectors.ancestors_visible(user, team) if scope.can_view(user, team) else [],
    }


def _render_team(request, team, status: int = 200, **bound):
    return render(request, "volunteering/team.html", _team_context(request, team, **bound), status=status)


@login_required
@require_GET
def team(request, pk: int):
    return _render_team(request, selectors.get_team_for(request.user, pk))


@login_required
@require_POST
def team_new(request, pk: int):
    user = request.user
    parent = org_selectors.get_organization_for(user, pk, manage=True)
    form = forms.TeamForm(request.POST, prefix="team")
    response, status = submit(
        request,
        form,
        lambda d: services.create_team(parent, actor=user, **d),
        lambda t: _("The team %(name)s was formed; add its members.") % {"name": t.name},
        lambda t: redirect("volunteering:team", pk=t.pk),
    )
    if response:
        return response
    return render(request, "volunteering/team_form.html", {"org": parent, "form": form}, status=status)


@login_required
@require_POST
def member_add(request, pk: int):
    item = selectors.get_team_for(request.user, pk, manage=True)
    form = forms.MemberForm(request.POST, prefix="member")

    def run(d):
        person = selectors.person_named_in_input(request.user, d["person"], field="person")
        return services.add_member(item, actor=request.user, person=person, role=d["role"], joined_on=d["joined_on"])

    response, status = submit(
        request, form, run, lambda m: _("%(name)s joined the team.") % {"name": m.person.name}, lambda m: redirect("volunteering:team", pk=item.pk)
    )
    return response or _render_team(request, item, status, member=form)


@login_required
@require_POST
def member_role(request, pk: int):
    member = selectors.get_member_for(request.user, pk, manage=True)
    form = forms.MemberRoleForm(request.POST, prefix="role")
    response, status = submit(
        request,
        form,
        lambda d: services.change_member_role(member, actor=request.user, role=d["role"]),
        _("The role was changed."),
        lambda m: redirect("volunteering:team", pk=member.team_id),
    )
    return response or _render_team(request, member.team, status, role=form)


@login_required
@require_POST
def member_remove(request, pk: int):
    member = selectors.get_member_for(request.user, pk, manage=True)
    form = forms.LeaveForm(request.POST, prefix="leave")
    response, status = submit(
        request,
        form,
        lambda d: services.remove_member(member, actor=request.user, left_on=d["left_on"]),
        lambda m: _("%(name)s left the team.") % {"name": m.person.name},
        lambda m: redirect("volunteering:team", pk=member.team_id),
    )
    return response or _render_team(request, member.team, status, leave=form)


# ---- Services -----------------------------------------------------------------------------------


def _service_form(team, data=None, *, record=None, on=None):
    """The members on the day (today for a new service) with a box for their hours; a correction
    also lists whoever has hours in the service."""
    day = on or (record.date if record else timezone.localdate())
    hours = records.hours_of(record) if record is not None else {}
    everyone = list(selectors.members_of(team, include_left=True))
    members = [m for m in everyone if m.joined_on <= day and (m.left_on is None or m.left_on >= day)]
    for m in everyone:  # one row per person with hours, even if not a member that day
        if m.person_id in hours and all(m.person_id != k.person_id for k in members):
            members.append(m)
    demands = ServiceDemand.objects.filter(team=team, status__in=[DemandStatus.TAKEN, DemandStatus.DONE]).order_by("-wanted_from")[:50]
    initial = None
    if record is not None:
        initial = {
            "date": record.date,
            "address": record.address,
            "people_served": record.people_served,
            "note": record.note,
            "demand": record.demand_id,
            **{f"h_{pid}": f"{h.normalize():f}" for pid, h in hours.items()},
        }
    return forms.ServiceForm(data, members=members, demands=demands, with_reason=record is not None, initial=initial, prefix="svc")


def _posted_date(request) -> date | None:
    try:
        return date.fromisoformat(request.POST.get("svc-date", ""))
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request, pk: int):
    user = request.user
    item = selectors.get_team_for(user, pk)
    if not (access.can_run_team(user, item) or access.is_member(user, item)):
        raise PermissionDenied(_("Only the team's members, leader or staff may record its services."))
    form = _service_form(item, request.POST or None, on=_posted_date(request) if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        demands = {d.pk: d for d in ServiceDemand.objects.filter(team=item)}

        def run(d):
            return records.record_service(
                item,
                actor=user,
                date=d["date"],
                address=d["address"],
                people_served=d["people_served"],
                note=d["note"],
                demand=demands.get(d["demand"]) if d["demand"] else None,
                participants=form.participants(),
            )

        response, status = submit(
            request,
            form,
            run,
            lambda r: (
                _("The service was recorded.") if r.status == ServiceStatus.CONFIRMED else _("The service was reported; the team's leader will confirm it.")
            ),
            lambda r: redirect("volunteering:service", pk=r.pk),
        )
        if response:
            return response
    return render(request, "volunteering/service_form.html", {"team": item, "form": form}, status=status)


def _service_context(request, record, **bound) -> dict:
    user = request.user
    runs = access.can_run_team(user, record.team)
    f = {}
    if runs and record.status == ServiceStatus.REPORTED:
        f["reject"] = forms.RequiredReasonForm(prefix="reject")
    if runs and record.status != ServiceStatus.REJECTED:
        f["correct"] = _service_form(record.team, record=record)
    f.update(bound)
    return {"record": record, "runs": runs, "f": f, "hours": list(selectors.hours_rows(record)), "see_team": access.can_see_team(user, record.team)}


def _render_service(request, record, status: int = 200, **bound):
    return render(request, "volunteering/service.html", _service_context(request, record, **bound), status=status)


@login_required
@require_GET
def service(request, pk: int):
    return _render_service(request, selectors.get_service_for(request.user, pk))


@login_required
@require_POST
def service_confirm(request, pk: int):
    item = selectors.get_service_for(request.user, pk, run=True)
    records.confirm_service(item, actor=request.user)
    messages.success(request, _("The service was confirmed; its hours are in the ledger."))
    return redirect("volunteering:service", pk=item.pk)


@login_required
@require_POST
def service_reject(request, pk: int):
    item = selectors.get_service_for(request.user, pk, run=True)
    form = forms.RequiredReasonForm(request.POST, prefix="reject")
    response, status = submit(
        request,
        form,
        lambda d: records.reject_service(item, actor=request.user, reason=d["reason"]),
        _("The service was rejected."),
        lambda r: redirect("volunteering:service", pk=item.pk),
    )
    return response or _render_service(request, item, status, reject=form)


@login_required
@require_POST
def service_correct(request, pk: int):
    item = selectors.get_service_for(request.user, pk, run=True)
    if item.status == ServiceStatus.REJECTED:
        raise records.illegal(item, _("corrected"))
    form = _service_form(item.team, request.POST, record=item)

    def run(d):
        return records.correct_service(
            item,
            actor=request.user,
            reason=d["reason"],
            date=d["date"],
            address=d["address"],
            people_served=d["people_served"],
            note=d["note"],
            participants=form.participants(),
        )

    response, status = submit(request, form, run, _("The service was corrected."), lambda r: redirect("volunteering:service", pk=item.pk))
    return response or _render_service(request, item, status, correct=form)
