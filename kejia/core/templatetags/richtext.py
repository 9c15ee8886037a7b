"""`{{ text|richtext }}`: rich text cleaned by kejia.core.richtext, the only way a page shows
stored HTML."""

from django import template

from kejia.core import richtext as cleaner

register = template.Library()


@register.filter
def richtext(value) -> str:
    return cleaner.render(str(value or ""))
