"""The division picker's htmx door (kejia/reference/forms.py): the whole picker for the controls
sent, or only the search's matches. Public reference data, no login. `field` and `id` name form
inputs and are restricted to plain identifiers before they reach markup."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kejia.core.lookup import lookup_options, safe_name
from kejia.reference.forms import discipline_options, picker_context, read_region_input


@require_GET
def picker(request):
    name = safe_name(request.GET.get("field"), "region")
    state = read_region_input(request.GET, name)
    if request.GET.get("part") == "matches":
        # Only the search text counts here: what the user is typing, not the cascade below it.
        state.code, state.levels, state.pick = "", (), ""
        if state.query:
            state.resolve()
            if state.region is not None:  # a single match: offer it (choosing it reloads the picker)
                state.matches = [state.region]
        context = {"name": name, "id": safe_name(request.GET.get("id"), f"id_{name}"), "matches": state.matches, "query": state.query}
        return render(request, "reference/_region_matches.html", context)
    return render(request, "reference/_region_picker.html", picker_context(name, state, id_prefix=safe_name(request.GET.get("id"), f"id_{name}")))


@require_GET
def disciplines(request):
    """The matching disciplines, as the discipline lookup's select (public reference data)."""
    return render(request, "_lookup_select.html", lookup_options(request, search=discipline_options, empty_label=_("Any discipline")))
