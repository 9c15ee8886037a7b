"""Demo data of volunteering (`seed_demo` calls `seed_volunteering` once people and memberships exist)."""


def seed_volunteering(*, seed: int, actor) -> dict[str, int]:
    """Seed once; return what was made, by name (empty when the demo already has it)."""
    return {}
