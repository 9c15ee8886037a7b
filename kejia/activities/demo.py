"""Demo data of activities (`seed_demo` calls `seed_activities` once people and memberships exist)."""


def seed_activities(*, seed: int, actor) -> dict[str, int]:
    """Seed once; return what was made, by name (empty when the demo already has it)."""
    return {}
