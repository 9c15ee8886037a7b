"""Pages of expert review: the reviewer's "my reviews" (invitations to answer, items to score)
and score sheet, both for a phone; the owner's round page (settings, assignment table with the
swap form, results, the reviewers' credibility record). Thin: scope is the selectors', rules the
services'."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.web import page_of
from kejia.people.models import Person
from kejia.review import selectors, services
from kejia.review.models import Assignment, InvitationStatus, RoundStatus

INVITE_PAGE = 20


def _refused(exc: DomainError) -> int:
    """A refusal shown on the page; scope and permission refusals go on to the error page."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    return exc.status


def _mine(request, status=200, error=""):
    invitations = list(selectors.my_invitations(request.user)[:100])
    assignments = list(selectors.my_assignments(request.user)[:200])
    rounds = list(selectors.managed_rounds(request.user)[:50])
    return render(
        request,
        "review/mine.html",
        {"invitations": invitations, "assignments": assignments, "rounds": rounds, "error": error, "INVITED": InvitationStatus.INVITED},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def my_reviews(request):
    return _mine(request)


@login_required
@require_http_methods(["POST"])
def invitation(request, pk: int):
    inv = selectors.get_my_invitation(pk, request.user)
    accept = request.POST.get("action") == "accept"
    try:
        services.respond(inv, actor=request.user, accept=accept, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _mine(request, _refused(exc), str(exc.message))
    messages.success(request, _("Thank you: the invitation is accepted.") if accept else _("The invitation is declined."))
    return redirect("review:mine")


def _scores_from(post, criteria) -> dict:
    return {c["code"]: post.get(f"score-{c['code']}", "").strip() for c in criteria}


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request, pk: int):
    a = selectors.get_my_assignment(pk, request.user)
    status, error, field = 200, "", ""
    scores, comments = a.sheet.scores, a.sheet.comments
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "conflict":
                services.declare_conflict(a, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("The conflict of interest is declared; the organization running the review will assign another reviewer."))
                return redirect("review:mine")
            scores, comments = _scores_from(request.POST, a.round.criteria), request.POST.get("comments", "")
            services.save_sheet(a.sheet, actor=request.user, scores=scores, comments=comments, submit=action == "submit")
            messages.success(request, _("Your scores are submitted.") if action == "submit" else _("Draft saved."))
            return redirect("review:sheet", pk=a.pk)
        except DomainError as exc:
            status, error, field = _refused(exc), str(exc.message), exc.field or ""
    criteria = [{**c, "value": scores.get(c["code"], ""), "error": error if field == c["code"] else ""} for c in a.round.criteria]
    return render(
        request,
        "review/sheet.html",
        {
            "a": a,
            "round": a.round,
            "item": selectors.item_for_reviewer(a.item, a.round),
            "criteria": criteria,
            "comments": comments,
            "error": error,
            "editable": a.round.status == RoundStatus.SCORING and a.sheet.submitted_at is None and not a.conflict_declared,
            "others": selectors.other_sheets(a),
            "late": a.round.score_deadline is not None and timezone.now() > a.round.score_deadline,
        },
        status=status,
    )


def _owner_action(request, round_) -> str:
    action = request.POST.get("action")
    if action == "run":
        run = services.run_assignment(round_, actor=request.user)
        if not run.widened:
            return _("Reviewers assigned.")
        if run.candidates_per_item is None:
            return _(
                "Reviewers assigned. Each item's best %(n)s reviewers could not give every item its reviewers, so every eligible reviewer was a candidate."
            ) % {"n": run.requested}
        return _("Reviewers assigned. Each item's best %(n)s reviewers could not give every item its reviewers, so the best %(m)s were candidates.") % {
            "n": run.requested,
            "m": run.candidates_per_item,
        }
    if action == "start":
        services.start_scoring(round_, actor=request.user)
        return _("Scoring has started; the reviewers are told.")
    if action == "close":
        services.close_round(round_, actor=request.user)
        return _("The review round is closed.")
    if action == "deadline":
        try:
            moment = datetime.datetime.fromisoformat(request.POST.get("deadline", ""))
        except ValueError:
            raise DomainError("invalid_date", _("Enter a date and time."), field="deadline") from None
        services.set_deadline(round_, actor=request.user, score_deadline=timezone.make_aware(moment) if timezone.is_naive(moment) else moment)
        return _("Deadline saved.")
    if action == "invite":
        person = selectors.person_to_invite(request.user, request.POST.get("person"))
        if person is None:
            raise DomainError("invalid", _("Choose a reviewer."), field="person")
        services.invite(round_, person, actor=request.user)
        return _("Reviewer invited.")
    if action == "conflict":
        item = round_.items.filter(pk=request.POST.get("item") or 0).first()
        person = Person.objects.filter(pk=request.POST.get("person") or 0, review_invitations__round=round_).first()
        if item is None or person is None:
            raise DomainError("invalid", _("Choose an item and a reviewer."), field="item")
        services.record_conflict_found(item, person, actor=request.user, reason=request.POST.get("reason", ""))
        return _("The conflict of interest is recorded.")
    if action == "swap":
        a = Assignment.objects.filter(round=round_, pk=request.POST.get("assignment") or 0).first()
        person = Person.objects.filter(pk=request.POST.get("person") or 0).first()
        if a is None or person is None:
            raise DomainError("invalid", _("Choose an assignment and a reviewer."), field="assignment")
        services.swap(a, actor=request.user, new_person=person)
        return _("Reviewer swapped.")
    raise DomainError("invalid", _("Unknown action."), field="action")


@login_required
@require_http_methods(["GET", "POST"])
def round_page(request, pk: int):
    round_ = selectors.get_managed_round(pk, request.user)
    status, error = 200, ""
    if request.method == "POST":
        try:
            messages.success(request, _owner_action(request, round_))
            return redirect("review:round", pk=round_.pk)
        except DomainError as exc:
            status, error = _refused(exc), str(exc.message)
        round_.refresh_from_db()
    assignments = list(round_.assignments.select_related("item", "person", "sheet").order_by("item_id", "pk"))
    invitations = list(round_.invitations.select_related("person").order_by("pk"))
    pool = [i.person for i in invitations if i.status == InvitationStatus.ACCEPTED]
    find = {k: request.GET.get(k, "")[:100] for k in ("who", "discipline", "employer")}
    willing = page_of(
        request,
        selectors.people_to_invite(request.user, round_, name=find["who"], discipline=find["discipline"], employer=find["employer"]).prefetch_related(
            "disciplines"
        ),
        INVITE_PAGE,
    )
    records = {c.person_id: c for c in selectors.round_credibility(request.user, round_)}
    return render(
        request,
        "review/round.html",
        {
            "round": round_,
            "items": list(round_.items.all()),
            "assignments": assignments,
            "invitations": [(i, records.get(i.person_id)) for i in invitations],
            "pool": pool,
            "willing": willing,
            "find": find,
            "invited_people": [i.person for i in invitations],
            "results": selectors.results(round_),
            "error": error,
        },
        status=status,
    )
