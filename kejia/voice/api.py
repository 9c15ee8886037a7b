"""Voice as JSON: the same services and selectors as the pages."""

from ninja import Router

router = Router(tags=["voice"])
