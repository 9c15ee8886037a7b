"""Work in progress: the membership API (replaced by its owner)."""

from ninja import Router

router = Router(tags=["memberships"])
