"""python manage.py check_compliance --org CODE [--ruleset NAME] [--json] [--today YYYY-MM-DD] [--failures-only]

The composition of every leadership body in an organization's subtree (current terms) against the
rule sets assigned to it (kejia.governance.compliance.subtree_compliance). People are named only by
their name: no ID numbers or phones. The exit code is 0 whatever the outcome (a report, not a gate);
an unknown organization is an error."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kejia.governance.choices import BodyKind, Measure, Outcome
from kejia.governance.compliance import BodyReport, RuleResult, subtree_compliance, threshold_text
from kejia.governance.models import RuleSet
from kejia.organizations.models import Organization

FLAGGED = (Outcome.FAIL, Outcome.TARGET_MISSED)


class Command(BaseCommand):
    help = "Check the composition of an organization's leadership bodies (and those below it) against its rule sets."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organization code; its subtree is checked")
        parser.add_argument("--ruleset", help="only this rule set (by name)")
        parser.add_argument("--json", action="store_true", help="print the results as JSON")
        parser.add_argument("--today", help="check as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--failures-only", action="store_true", help="only rules failed or targets missed, and only the bodies with any")

    def handle(self, *args, org: str, ruleset: str | None = None, json: bool = False, today: str | None = None, failures_only: bool = False, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today: not a date: {today}") from None
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            raise CommandError(f"--org: no organization with the code {org!r}")
        if ruleset and not RuleSet.objects.filter(name=ruleset).exists():
            self.stderr.write(f"--ruleset: no rule set named {ruleset!r}; nothing is checked against it")
        reports = subtree_compliance(organization, today=day, ruleset=ruleset)
        rows = [(report, [r for r in report.results if not failures_only or r.outcome in FLAGGED]) for report in reports]
        if failures_only:
            rows = [(report, results) for report, results in rows if results]
        if json:
            self.stdout.write(_dumps([_body_json(report, results) for report, results in rows]))
            return
        if not rows:
            self.stdout.write(_("No leadership bodies with a current term to report."))
        for report, results in rows:
            self.stdout.write(_body_line(report))
            for result in results:
                if result.outcome in FLAGGED:
                    self.stdout.write("  " + _result_line(result))


def _failing_json(result: RuleResult) -> list[dict]:
    return [{"person_id": s.person_id, "name": s.name, "role": s.role} for s in result.failing]


def _body_json(report: BodyReport, results: list[RuleResult]) -> dict:
    organization, term = report.body.organization, report.term
    return {
        "organization": {"code": organization.code, "name": organization.name},
        "body_kind": report.body.kind,
        "body": str(report.body),
        "term": {"number": term.number, "start": term.start.isoformat(), "planned_end": term.planned_end.isoformat()} if term else None,
        "seats": report.seats,
        "results": [
            {
                "ruleset": r.ruleset,
                "measure": r.measure,
                "param": r.param,
                "comparison": r.comparison,
                "threshold": r.threshold,
                "threshold_text": r.threshold_text,
                "is_target": r.is_target,
                "measured": r.measured,
                "measured_text": r.measured_text,
                "baseline": r.baseline,
                "progress": r.progress,
                "against_previous": r.against_previous,
                "outcome": str(r.outcome),
                "failing": _failing_json(r),
            }
            for r in results
        ],
    }


def _body_line(report: BodyReport) -> str:
    organization, term = report.body.organization, report.term
    kind = BodyKind(report.body.kind).label if report.body.kind in BodyKind.values else report.body.kind
    when = _("term %(number)s, %(start)s – %(end)s") % {"number": term.number, "start": term.start, "end": term.planned_end} if term else ""
    return _("%(code)s %(org)s · %(kind)s · %(term)s: %(seats)s seats, %(failures)s failures, %(targets)s targets missed") % {
        "code": organization.code,
        "org": organization.name,
        "kind": kind,
        "term": when,
        "seats": report.seats,
        "failures": len(report.failures),
        "targets": len(report.targets_missed),
    }


def _result_line(result: RuleResult) -> str:
    measure = str(Measure(result.measure).label) if result.measure in Measure.values else result.measure
    if result.param is not None:
        measure = f"{measure} (N = {result.param})"
    measured = "–" if result.measured is None else result.measured_text
    names = "、".join(s.name for s in result.failing[:10]) + ("…" if len(result.failing) > 10 else "")
    line = _("%(outcome)s [%(ruleset)s] %(measure)s %(threshold)s: measured %(measured)s") % {
        "outcome": Outcome(result.outcome).label,
        "ruleset": result.ruleset,
        "measure": measure,
        "threshold": threshold_text(result),
        "measured": measured,
    }
    if result.progress is not None and result.baseline is not None:
        line += " — " + _("from %(baseline)s toward %(target)s: %(progress)s of the way") % {
            "baseline": f"{result.baseline * 100:g}%",
            "target": result.threshold_text,
            "progress": f"{int(result.progress * 100)}%",
        }
    if names:
        line += " — " + _("%(count)s seats: %(names)s") % {"count": len(result.failing), "names": names}
    return line


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
