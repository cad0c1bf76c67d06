"""The periodic schedule, as data: what runs, when, in school-local time (Europe/London).

`PERIODIC_JOBS` is the one table; `jobs.runner` enqueues what `due_runs` says is due, and `flask jobs schedule`
prints it. Days:

- "every day": every day of the year.
- "weekdays": Monday to Friday.
- "school days": Monday to Friday here; each sweep then works only for the schools whose own calendar says
  today is a school day (half-terms, training days and bank holidays differ by school: see jobs.sweeps).

A job runs at a wall-clock time (`at`, once a day: 07:00 is 07:00 in GMT and in BST, once on the days the
clocks change) or every interval (`every`, on slots aligned to the hour, optionally only between two times).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.clock import SCHOOL_TZ, local_datetime, to_local
from jobs.connection import EMAIL, SWEEPS, WEBHOOKS

EVERY_DAY = "every day"
WEEKDAYS = "weekdays"
SCHOOL_DAYS = "school days"
MONDAYS = "Mondays"  # weekly work
DAY_RULES = (EVERY_DAY, WEEKDAYS, SCHOOL_DAYS, MONDAYS)


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # also the job id's stem: letters, digits and '-'
    func: str  # dotted path of the job function; it takes no arguments
    queue: str
    what: str  # for people reading `flask jobs schedule`
    days: str = EVERY_DAY
    at: time | None = None  # once a day at this school-local time
    every: timedelta | None = None  # or every interval...
    between: tuple[time, time] | None = None  # ...only from the first time up to (not including) the second

    def __post_init__(self):
        if (self.at is None) == (self.every is None):
            raise ValueError(f"{self.name}: give exactly one of `at` and `every`")
        if self.days not in DAY_RULES:
            raise ValueError(f"{self.name}: days must be one of {DAY_RULES}, got {self.days!r}")
        if self.every is not None and (self.every < timedelta(minutes=1) or timedelta(days=1) % self.every):
            raise ValueError(f"{self.name}: `every` must be at least a minute and divide a day evenly")
        if self.between is not None and self.every is None:
            raise ValueError(f"{self.name}: `between` is for interval jobs")

    @property
    def when(self) -> str:
        """How the schedule reads to a person, e.g. "07:00 on weekdays" or "every 15 min on school days"."""
        if self.at is not None:
            return f"{self.at:%H:%M} on {self.days}"
        minutes = int(self.every.total_seconds() // 60)
        span = f" from {self.between[0]:%H:%M} to {self.between[1]:%H:%M}" if self.between else ""
        every = "every minute" if minutes == 1 else f"every {minutes} min"
        return f"{every}{span} on {self.days}"


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("outbox-dispatch", "jobs.outbox.dispatch_outbox", EMAIL,
                "Send the emails waiting in the outbox (and retry the ones that failed)",
                every=timedelta(minutes=1), days=EVERY_DAY),
    PeriodicJob("daily-digests", "jobs.outbox.send_daily_digests", EMAIL,
                "Send each person who asked for one their daily digest", at=time(7, 0), days=WEEKDAYS),
    PeriodicJob("calendar-readiness", "jobs.sweeps.calendar_readiness", SWEEPS,
                "Ask the AP leader for term dates the calendar does not yet cover", at=time(6, 30), days=WEEKDAYS),
    PeriodicJob("task-reminders", "jobs.sweeps.task_reminders", SWEEPS,
                "Remind before tasks are due; escalate overdue tasks", every=timedelta(minutes=15),
                between=(time(7, 0), time(19, 0)), days=SCHOOL_DAYS),
    PeriodicJob("provider-vetting", "jobs.provider_sweeps.provider_vetting_expiry", SWEEPS,
                "Remind before a provider's vetting expires; task schools with pupils at an expired provider",
                at=time(18, 30), days=WEEKDAYS),  # after the school day: in the AP leader's inbox by morning
    PeriodicJob("registration-verdicts", "jobs.provider_sweeps.registration_verdicts", SWEEPS,
                "Recount each unregistered provider's registration verdict (7.2) for the day's ages",
                at=time(6, 0), days=EVERY_DAY),
    PeriodicJob("attendance-sessions", "jobs.attendance_sweeps.expected_sessions", SWEEPS,
                "Make the day's expected sessions at providers (the today page lists them)", at=time(7, 30),
                days=SCHOOL_DAYS),
    PeriodicJob("attendance-cutoffs", "jobs.attendance_sweeps.attendance_cutoffs", SWEEPS,
                "Prompt for sessions unconfirmed at the cut-off; raise the DSL's welfare checks that are due",
                # Until 19:00: a provider's afternoon session starting at 16:00 has its cut-off and its welfare
                # check hour inside the window too.
                every=timedelta(minutes=5), between=(time(8, 0), time(19, 0)), days=SCHOOL_DAYS),
    PeriodicJob("half-termly-reviews", "jobs.review_sweeps.half_termly_reviews", SWEEPS,
                "Make the half-termly review tasks (8.3) at each half-term's start and a placement's start",
                at=time(6, 45), days=SCHOOL_DAYS),
    PeriodicJob("qa-visits-due", "jobs.qa_sweeps.qa_visits_due", SWEEPS,
                "Ask the AP leader to arrange each provider's quality-assurance visit as it comes due (8.1, 8.3)",
                at=time(6, 50), days=SCHOOL_DAYS),
    PeriodicJob("policy-review", "jobs.oversight_sweeps.policy_review_reminders", SWEEPS,
                "Remind the trust safeguarding lead ahead of the AP policy's two-yearly review (12.2)",
                at=time(7, 5), days=WEEKDAYS),
    PeriodicJob("part-time-timetables", "jobs.part_time_sweeps.part_time_timetables", SWEEPS,
                "Part-time timetables (9.6, 9.7): welfare checks on days with no on-site session, review tasks, "
                "the six-week flag, the end date, LA returns", at=time(7, 35), days=SCHOOL_DAYS),
    PeriodicJob("retention-review", "jobs.retention_sweeps.retention_review", SWEEPS,
                "Carry out the retention actions the data protection officer approved; list what is newly due",
                at=time(5, 30), days=MONDAYS),  # before the school day, once a week
    PeriodicJob("flexi-schooling-reviews", "jobs.flexi_sweeps.flexi_schooling_reviews", SWEEPS,
                "Make the termly review tasks of flexi-schooling agreements (10.6) from each school's calendar",
                at=time(6, 55), days=SCHOOL_DAYS),
    PeriodicJob("webhooks-dispatch", "jobs.webhook_deliveries.dispatch_webhooks", WEBHOOKS,
                "Deliver the webhook events waiting (and retry the ones that failed)",
                every=timedelta(minutes=1), days=EVERY_DAY),
    PeriodicJob("attendance-roll-up", "jobs.attendance_sweeps.attendance_roll_up", SWEEPS,
                "Count each school's past days of attendance for the trends (the days since the last run, and "
                "any day whose sessions changed)", at=time(2, 0), days=EVERY_DAY),  # the quiet of the night
)


def job_named(name: str, jobs: Iterable[PeriodicJob] = PERIODIC_JOBS) -> PeriodicJob:
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(name)


def job_for_func(func: str, jobs: Iterable[PeriodicJob] = PERIODIC_JOBS) -> PeriodicJob:
    for job in jobs:
        if job.func == func:
            return job
    raise KeyError(func)


def runs_on(days: str, day: date) -> bool:
    """Whether the runner enqueues on this local date (per-school calendars are the sweep's business)."""
    if days == MONDAYS:
        return day.weekday() == 0
    return days == EVERY_DAY or day.weekday() < 5


@dataclass(frozen=True)
class DueRun:
    job: PeriodicJob
    slot: datetime  # the instant (aware UTC) the run was scheduled for

    @property
    def slot_label(self) -> str:
        return self.slot.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def due_runs(jobs: Iterable[PeriodicJob], last_tick: datetime, now: datetime) -> list[DueRun]:
    """The runs whose slot falls after `last_tick` and at or before `now` (both aware), in slot order.

    A daily job gives one run per day whose local date passes its day rule. An interval job that missed
    several slots (the runner was down) gives only its latest one: each run does all the work there is.
    """
    if last_tick.tzinfo is None or now.tzinfo is None:
        raise ValueError("due_runs needs aware datetimes")
    if now <= last_tick:
        return []
    runs: list[DueRun] = []
    for job in jobs:
        if job.at is not None:
            runs.extend(DueRun(job, slot) for slot in _daily_slots(job, last_tick, now))
        else:
            slot = _latest_interval_slot(job, last_tick, now)
            if slot is not None:
                runs.append(DueRun(job, slot))
    return sorted(runs, key=lambda r: (r.slot, r.job.name))


def _local_dates(start: datetime, end: datetime) -> Iterable[date]:
    day, last = to_local(start).date(), to_local(end).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _daily_slots(job: PeriodicJob, last_tick: datetime, now: datetime) -> Iterable[datetime]:
    for day in _local_dates(last_tick, now):
        slot = local_datetime(day, job.at)
        if last_tick < slot <= now and runs_on(job.days, day):
            yield slot


def _interval_slot_fits(job: PeriodicJob, slot: datetime) -> bool:
    local = slot.astimezone(SCHOOL_TZ)
    in_window = job.between is None or job.between[0] <= local.time() < job.between[1]
    return in_window and runs_on(job.days, local.date())


def _interval_slot_at_or_before(job: PeriodicJob, instant: datetime) -> datetime:
    # Slots are whole multiples of the interval since the Unix epoch: every 15 minutes is :00, :15, :30, :45
    # in UTC and (England's offsets being whole hours) in local time too.
    step = int(job.every.total_seconds())
    return datetime.fromtimestamp(int(instant.timestamp()) // step * step, tz=UTC)


def _latest_interval_slot(job: PeriodicJob, last_tick: datetime, now: datetime) -> datetime | None:
    slot = _interval_slot_at_or_before(job, now)
    while slot > last_tick:
        if _interval_slot_fits(job, slot):
            return slot
        slot -= job.every
    return None


def next_run(job: PeriodicJob, after: datetime) -> datetime | None:
    """When the job next runs after this instant (looking a fortnight ahead), for `flask jobs schedule`."""
    horizon = after + timedelta(days=14)
    if job.at is not None:
        return next(iter(_daily_slots(job, after, horizon)), None)
    slot = _interval_slot_at_or_before(job, after) + job.every
    while slot <= horizon:
        if _interval_slot_fits(job, slot):
            return slot
        slot += job.every
    return None


def schedule_lines(now: datetime, jobs: Iterable[PeriodicJob] = PERIODIC_JOBS) -> list[str]:
    """The table as `flask jobs schedule` prints it: name, when (school-local time), next run, queue, what."""
    rows = [("name", "runs (Europe/London time)", "next run", "queue", "what")]
    for job in jobs:
        upcoming = next_run(job, now)
        rows.append((job.name, job.when, to_local(upcoming).strftime("%a %-d %b %H:%M") if upcoming else "-",
                     job.queue, job.what))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)) + "  " + row[4] for row in rows]
