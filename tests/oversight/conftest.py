"""Oversight tests use the attendance fixtures (active placements, the spring 2026 calendar of school A)."""
from tests.attendance.conftest import at, calendar_a  # noqa: F401
from tests.attendance.test_welfare_checks import raised  # noqa: F401
