"""Rule sets and their rules (read by everyone signed in, edited by the federation's
administrators) and where they apply (assigned by an organization's administrators)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.core.errors import PermissionDenied
from kejia.core.ratios import fraction_text
from kejia.governance import access, forms, selectors, services
from kejia.governance.rulesets import TITLES
from kejia.governance.views.common import (
    COMPARISON_SIGN,
    PERCENT_MEASURES,
    kind_label,
    measure_label,
    org_by_code,
    org_kind_label,
    submit,
)


@login_required
@require_http_methods(["GET", "POST"])
def rulesets(request):
    user = request.user
    editor = access.can_edit_rules(user)
    if request.method == "POST" and not editor:
        raise PermissionDenied(_("Only administrators of the federation edit rule sets."))
    form = forms.RuleSetForm(request.POST or None, prefix="ruleset") if editor else None
    status = 200
    if request.method == "POST":
        response, status = submit(
            request,
            form,
            lambda d: services.create_ruleset(actor=user, **d),
            lambda r: _("The rule set %(name)s was created; add its rules.") % {"name": r.name},
            lambda r: redirect("governance:ruleset", pk=r.pk),
        )
        if response:
            return response
    return render(
        request,
        "governance/rulesets.html",
        {"rulesets": selectors.rulesets(), "form": form, "editor": editor, "assignments": selectors.assignments_in_scope(user).order_by("organization__path")},
        status=status,
    )


def _rule_initial(rule) -> dict:
    initial = {name: getattr(rule, name) for name in services.RULE_INPUTS if name not in ("threshold", "baseline")}
    initial["threshold"] = f"{rule.threshold_num}/{rule.threshold_den}" if rule.threshold_den != 1 else str(rule.threshold_num)
    initial["baseline"] = f"{rule.baseline_num}/{rule.baseline_den}" if rule.baseline_num is not None else ""
    return initial


def _ruleset_context(request, ruleset, **bound) -> dict:
    user = request.user
    editor = access.can_edit_rules(user)
    assigner = access.can_assign_rulesets(user)
    f: dict[str, Any] = {}
    if editor:
        f["rule"] = forms.RuleForm(prefix="rule")
        f["edit"] = forms.RuleSetForm(
            prefix="edit",
            initial={n: getattr(ruleset, n) for n in ("name", "jurisdiction", "source", "document", "description")},
            shipped=ruleset.name in TITLES,
        )
    if assigner:
        f["assign"] = forms.AssignRuleSetForm(prefix="assign")
    f.update(bound)
    rules = [
        {
            "rule": r,
            "kinds": [kind_label(k) for k in r.body_kinds or []],
            "org_kinds": [org_kind_label(k) for k in r.org_kinds or []],
            "measure": measure_label(r.measure, r.param),
            "threshold": _rule_threshold(r),
        }
        for r in ruleset.rules.order_by("sort", "id")
    ]
    return {
        "ruleset": ruleset,
        "rules": rules,
        "editor": editor,
        "assigner": assigner,
        "f": f,
        "assignments": selectors.assignments_in_scope(user).filter(ruleset=ruleset).order_by("organization__path"),
    }


def _rule_threshold(rule) -> str:
    sign = COMPARISON_SIGN.get(rule.comparison, rule.comparison)
    if rule.against_previous:
        return _("%(sign)s the previous term") % {"sign": sign}
    share = rule.measure in PERCENT_MEASURES
    text = f"{sign} {fraction_text(rule.threshold_num, rule.threshold_den, share=share)}"
    if rule.baseline_num is not None and rule.baseline_den:
        text += " · " + _("from %(baseline)s") % {"baseline": fraction_text(rule.baseline_num, rule.baseline_den, share=share)}
    return text


@login_required
@require_GET
def ruleset(request, pk: int):
    return render(request, "governance/ruleset.html", _ruleset_context(request, selectors.get_ruleset(pk)))


@login_required
@require_POST
def ruleset_edit(request, pk: int):
    access.require_rule_editor(request.user)
    item = selectors.get_ruleset(pk)
    form = forms.RuleSetForm(request.POST, prefix="edit", shipped=item.name in TITLES)
    response, status = submit(
        request,
        form,
        lambda d: services.update_ruleset(item, actor=request.user, **d),
        _("The changes were saved."),
        lambda r: redirect("governance:ruleset", pk=item.pk),
    )
    return response or render(request, "governance/ruleset.html", _ruleset_context(request, item, edit=form), status=status)


@login_required
@require_POST
def rule_add(request, pk: int):
    access.require_rule_editor(request.user)
    item = selectors.get_ruleset(pk)
    form = forms.RuleForm(request.POST, prefix="rule")
    response, status = submit(
        request,
        form,
        lambda d: services.add_rule(item, actor=request.user, **d),
        _("The rule was added."),
        lambda r: redirect("governance:ruleset", pk=item.pk),
    )
    return response or render(request, "governance/ruleset.html", _ruleset_context(request, item, rule=form), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    access.require_rule_editor(request.user)
    rule = selectors.get_rule(pk)
    form = forms.RuleForm(request.POST or None, initial=_rule_initial(rule))
    status = 200
    if request.method == "POST":
        response, status = submit(
            request,
            form,
            lambda d: services.update_rule(rule, actor=request.user, **d),
            _("The rule was saved."),
            lambda r: redirect("governance:ruleset", pk=rule.ruleset_id),
        )
        if response:
            return response
    return render(request, "governance/rule_edit.html", {"rule": rule, "ruleset": rule.ruleset, "form": form}, status=status)


@login_required
@require_POST
def rule_delete(request, pk: int):
    access.require_rule_editor(request.user)
    rule = selectors.get_rule(pk)
    ruleset_pk = rule.ruleset_id
    services.delete_rule(rule, actor=request.user)
    messages.success(request, _("The rule was deleted."))
    return redirect("governance:ruleset", pk=ruleset_pk)


@login_required
@require_POST
def ruleset_assign(request, pk: int):
    user = request.user
    access.require_rule_assigner(user)
    item = selectors.get_ruleset(pk)
    form = forms.AssignRuleSetForm(request.POST, prefix="assign")

    def run(d):
        return services.assign_ruleset(item, org_by_code(user, d["organization"], "organization"), actor=user, include_subtree=d["include_subtree"])

    response, status = submit(
        request,
        form,
        run,
        lambda a: _("The rule set now applies to %(org)s.") % {"org": a.organization.name},
        lambda a: redirect("governance:ruleset", pk=item.pk),
    )
    return response or render(request, "governance/ruleset.html", _ruleset_context(request, item, assign=form), status=status)


@login_required
@require_POST
def ruleset_unassign(request, pk: int):
    assignment = selectors.get_assignment_for(request.user, pk)
    ruleset_pk, name = assignment.ruleset_id, assignment.organization.name
    services.unassign_ruleset(assignment, actor=request.user)
    messages.success(request, _("The rule set no longer applies to %(org)s.") % {"org": name})
    return redirect("governance:ruleset", pk=ruleset_pk)
