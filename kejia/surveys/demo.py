"""Demo data of surveys (`seed_demo` calls `seed_surveys` once people and memberships exist)."""


def seed_surveys(*, seed: int, actor) -> dict[str, int]:
    """Seed once; return what was made, by name (empty when the demo already has it)."""
    return {}
