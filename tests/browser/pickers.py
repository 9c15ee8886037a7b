"""Driving the pickers in a browser: the division cascade (kejia/reference/forms.py) and the
searchable lookups (kejia/core/lookup.py), as a person would — choose, wait for htmx, go on."""


def htmx_ready(page, locator):
    """Wait until htmx has settled and bound its triggers to the element: a select swapped in a
    moment ago and chosen at once (a busy machine) would otherwise change without loading the
    next level."""
    locator.wait_for()
    page.wait_for_function(
        "el => el['htmx-internal-data'] !== undefined && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, .htmx-added')",
        arg=locator.element_handle(),
    )


def pick_division(page, codes, *, within="form", name="region"):
    """Province → city → county → township in the cascading division picker: each choice reloads
    the picker with the next level to choose."""
    for level, code in enumerate(codes, start=1):
        htmx_ready(page, page.locator(f"{within} [data-region-picker]"))  # the element htmx listens on
        select = page.locator(f"{within} select[name={name}_{level}]")
        select.select_option(code)
        # The picker comes back with this level chosen (and the next one offered).
        page.locator(f"{within} select[name={name}_{level}] option[value='{code}'][selected]").wait_for(state="attached")
    page.locator(f"{within} [data-region-label]").wait_for()
    htmx_ready(page, page.locator(f"{within} [data-region-picker]"))


def choose_by_search(page, name, text, code, *, within="form"):
    """Type into a lookup's search box and choose one of the options it brings."""
    box = page.locator(f"{within} input[name={name}_q]")
    htmx_ready(page, box)
    box.fill(text)
    page.locator(f"{within} select[name={name}] option[value='{code}']").wait_for(state="attached")
    htmx_ready(page, box)
    page.locator(f"{within} select[name={name}]").select_option(code)
