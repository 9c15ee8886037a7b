"""What-if: a draft slate of the next term, checked against the rules beside the current term."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from kejia.accounts import scope
from kejia.core.errors import NotFound
from kejia.core.text import whole_number
from kejia.governance import compliance, forms, selectors, services
from kejia.governance.choices import OfficialStatus
from kejia.governance.views.common import chosen_person, people_search, person_in_reach, result_row, submit


def _slate_context(request, slate, **bound) -> dict:
    user = request.user
    manage = scope.can_manage(user, slate.body.organization)
    f: dict[str, Any] = {}
    search, found, searched = None, [], True
    if manage:
        f["entry"] = forms.SlateEntryForm(prefix="entry", initial={"person": chosen_person(request)})
        search, found, searched = people_search(request)
    f.update(bound)
    today = timezone.localdate()
    proposed = compliance.slate_compliance(slate, today=today)
    current = compliance.body_compliance(slate.body, today=today)
    now_by_rule = {r.rule_id: r for r in current.results}
    pairs = [{"slate": result_row(r), "now": result_row(now_by_rule[r.rule_id]) if r.rule_id in now_by_rule else None} for r in proposed.results]
    entries = slate.entries.select_related("person").order_by("role", "person__name", "id")
    return {
        "slate": slate,
        "body": slate.body,
        "org": slate.body.organization,
        "manage": manage,
        "f": f,
        "entries": entries,
        "pairs": pairs,
        "proposed": proposed,
        "current": current,
        "search": search,
        "found": found,
        "search_status": 200 if searched else 400,
    }


def _render_slate(request, slate, status: int = 200, **bound):
    context = _slate_context(request, slate, **bound)
    return render(request, "governance/slate.html", context, status=status if status != 200 else context["search_status"])


@login_required
@require_GET
def slate(request, pk: int):
    return _render_slate(request, selectors.get_slate_for(request.user, pk))


@login_required
@require_POST
def slate_add(request, pk: int):
    item = selectors.get_slate_for(request.user, pk, manage=True)
    form = forms.SlateEntryForm(request.POST, prefix="entry")

    def run(d):
        return services.add_slate_entry(
            item, actor=request.user, person=person_in_reach(request.user, d["person"], "person"), role=d["role"], official=d["official"] or OfficialStatus.NONE
        )

    response, status = submit(
        request, form, run, lambda e: _("%(name)s is on the slate.") % {"name": e.person.name}, lambda e: redirect("governance:slate", pk=item.pk)
    )
    return response or _render_slate(request, item, status, entry=form)


@login_required
@require_POST
def slate_remove(request, pk: int):
    item = selectors.get_slate_for(request.user, pk, manage=True)
    value = request.POST.get("entry", "")
    entry_pk = whole_number(value, max_digits=9)
    entry = item.entries.select_related("person").filter(pk=entry_pk).first() if entry_pk is not None else None
    if entry is None:
        raise NotFound()
    services.remove_slate_entry(entry, actor=request.user)
    messages.success(request, _("%(name)s was taken off the slate.") % {"name": entry.person.name})
    return redirect("governance:slate", pk=item.pk)


@login_required
@require_POST
def slate_delete(request, pk: int):
    item = selectors.get_slate_for(request.user, pk, manage=True)
    body_pk = item.body_id
    services.delete_slate(item, actor=request.user)
    messages.success(request, _("The draft slate was deleted."))
    return redirect("governance:body", pk=body_pk)
