"""Work in progress: the governance API (replaced by its owner)."""

from ninja import Router

router = Router(tags=["governance"])
