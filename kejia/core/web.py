"""What every app's pages share: a service's refusal put next to the form field it names, one
form submission (validate, run one service, say so), and one page of a list."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator

from kejia.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed


def form_error(form, exc: DomainError) -> int:
    """Put a service's refusal next to the field it names; return the status to answer with (its
    code's, from the registry of error codes: the API answers the same refusal with the same status).
    Scope and permission refusals are not form errors: they go on to the error page."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    if isinstance(exc, ValidationFailed):
        for field, problems in exc.errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, ValidationError(str(problem), code=exc.code))
    else:
        form.add_error(exc.field if exc.field in form.fields else None, ValidationError(str(exc.message), code=exc.code))
    return exc.status


def submit(request, form, run: Callable[[dict], Any], done: str | Callable[[Any], str], success: Callable[[Any], Any] | None = None) -> tuple[Any, int]:
    """Validate `form`, run one service with its cleaned data and say `done` (a message, or a
    function of the result). Returns (success(result) — or the result itself —, 200) on success,
    else (None, status): 400 for an invalid form, else the refusal's status from its registered
    code (409 for a refusal because of the object's state; the page is rendered again with it)."""
    if not form.is_valid():
        return None, 400
    try:
        result = run(form.cleaned_data)
    except DomainError as exc:
        return None, failed(form, exc)
    messages.success(request, done(result) if callable(done) else done)
    return (success(result) if success else result), 200


def failed(form, exc: DomainError) -> int:
    """`form_error`: the refusal next to its field; returns the status its registered code has."""
    return form_error(form, exc)


def page_of(request, rows, per_page: int) -> Page:
    """The page of `rows` that the query string's `page` asks for (the last one past the end)."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))
