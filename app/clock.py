"""One clock for the whole app: tests freeze it with freezegun, schools live in Europe/London time."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

SCHOOL_TZ = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def local_now() -> datetime:
    """The current time in school-local time (GMT or BST)."""
    return now().astimezone(SCHOOL_TZ)


def today() -> date:
    """Today's date in school-local time: after 23:00 UTC in summer it is already tomorrow in England."""
    return local_now().date()


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock time on a school day, as an aware UTC instant (correct either side of a BST change)."""
    return datetime.combine(day, at, tzinfo=SCHOOL_TZ).astimezone(timezone.utc)


def to_local(instant: datetime) -> datetime:
    return instant.astimezone(SCHOOL_TZ)
