"""The funding ledger, per project and per call: approved, planned tranches, paid, held by a gate
(not yet met, or failed for good), and totals against the call's budget. Amounts are Decimal yuan."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from kejia.calls.choices import Gate, ProjectStatus
from kejia.calls.models import Call, Payment, Project

ZERO = Decimal("0.00")


def _gate_failed(project: Project, gate: str) -> bool:
    if gate == Gate.MIDTERM_PASSED:
        return project.midterm_passed is False
    if gate == Gate.CONCLUDED:
        return project.status == ProjectStatus.NOT_CONCLUDED
    return False


def project_ledger(project: Project, *, paid_by_tranche: dict[int, Decimal] | None = None) -> dict:
    if paid_by_tranche is None:
        paid_by_tranche = dict(project.payments.values_list("tranche").annotate(s=Sum("amount")).values_list("tranche", "s"))
    met = project.gates_met()
    rows, totals = [], defaultdict(lambda: ZERO)
    for index, tranche in enumerate(project.tranches, start=1):
        planned = Decimal(tranche["amount"])
        paid = paid_by_tranche.get(index) or ZERO
        open_ = tranche["gate"] in met
        failed = _gate_failed(project, tranche["gate"])
        row = {
            "tranche": index,
            "gate": tranche["gate"],
            "planned": planned,
            "paid": paid,
            "gate_met": open_,
            "gate_failed": failed,
            "payable": planned - paid if open_ else ZERO,  # may be paid now
            "held": ZERO if open_ else planned - paid,  # waits on its gate (for good when failed)
            "forfeited": planned - paid if failed else ZERO,
        }
        rows.append(row)
        for key in ("planned", "paid", "payable", "held", "forfeited"):
            totals[key] += row[key]
    return {"project": project.pk, "approved": project.amount, "tranches": rows, **dict(totals)}


def call_ledger(call: Call) -> dict:
    """All projects of a call in two queries."""
    projects = list(Project.objects.filter(call=call).order_by("pk"))
    paid: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for project_id, tranche, amount in (
        Payment.objects.filter(project__call=call).values("project", "tranche").annotate(s=Sum("amount")).values_list("project", "tranche", "s")
    ):
        paid[project_id][tranche] = amount
    lines = [project_ledger(p, paid_by_tranche=paid[p.pk]) for p in projects]
    totals = {key: sum((line[key] for line in lines), ZERO) for key in ("approved", "paid", "payable", "held", "forfeited")}
    return {
        "call": call.pk,
        "budget": call.budget,
        "projects": lines,
        **totals,
        "unallocated": (call.budget - totals["approved"]) if call.budget is not None else None,
    }
