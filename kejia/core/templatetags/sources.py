"""`{{ text|in_words }}`: a source citation with the policy texts named by their titles."""

from django import template

from kejia.core import sources

register = template.Library()


@register.filter
def in_words(text) -> str:
    return sources.in_words(str(text or ""))
