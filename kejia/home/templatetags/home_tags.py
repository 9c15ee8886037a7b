"""Template helpers of the home pages."""

from django import template

register = template.Library()


@register.filter
def events_of(found, org):
    """The upcoming events of one organization from a Finding (already read in one query)."""
    return found.events_of(org)
