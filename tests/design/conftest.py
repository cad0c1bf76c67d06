from tests.placements.conftest import calendar_a, frozen, ready  # noqa: F401
