"""`{{ name|ruleset_title }}`: a rule set's name as pages show it (kejia.governance.rulesets.TITLES)."""

from django import template

from kejia.governance.rulesets import title_of

register = template.Library()


@register.filter
def ruleset_title(name: str) -> str:
    return title_of(str(name or ""))
