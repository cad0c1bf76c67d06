"""One clock for the whole app: tests freeze it with freezegun, schools live in Europe/London time."""
import contextlib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SCHOOL_TZ = ZoneInfo("Europe/London")

# Moved only by `running_as_if`, for the benchmark: it must run the sweeps on a school day whatever day it is,
# and freezegun's per-call overhead would swamp what it measures. Tests use freezegun.
_offset = timedelta(0)


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC) + _offset


@contextlib.contextmanager
def running_as_if(instant: datetime):
    """Let time run on from `instant` (aware) inside the block, for this process."""
    global _offset
    previous = _offset
    _offset = instant - datetime.now(UTC)
    try:
        yield
    finally:
        _offset = previous


def local_now() -> datetime:
    """The current time in school-local time (GMT or BST)."""
    return now().astimezone(SCHOOL_TZ)


def today() -> date:
    """Today's date in school-local time: after 23:00 UTC in summer it is already tomorrow in England."""
    return local_now().date()


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock time on a school day, as an aware UTC instant (correct either side of a BST change)."""
    return datetime.combine(day, at, tzinfo=SCHOOL_TZ).astimezone(UTC)


def to_local(instant: datetime) -> datetime:
    return instant.astimezone(SCHOOL_TZ)
