"""The retention schedule, as data, and what is due for retention action on a day (UK GDPR Article 5(1)(e),
storage limitation; the trust's data protection policy).

Each row says, for one kind of record: which event starts the clock, how long after it the record is kept,
what then happens to it (destroy, anonymise, or keep) and where the period comes from. Where the IRMS toolkit
leaves the period to the school, the row names a setting (`RETENTION_YEARS` in the config, keyed by record) and
the cited default applies until a trust changes it.

Sources, as cited in each row:
- IRMS: the Information and Records Management Society, Information Management Toolkit for Schools
  (https://irms.org.uk/page/SchoolsToolkit), "Pupils" and "Child protection" sections.
- KCSIE: "Keeping children safe in education" (DfE, statutory guidance), Part two and Annex C: the DSL keeps
  child protection files separately and securely; the IRMS toolkit and the DfE Data Protection Toolkit for
  Schools put their retention at the pupil's date of birth plus 25 years, then review.
- Pupil Registration Regulations: The Education (Pupil Registration) (England) Regulations 2006: every entry in
  the attendance register is preserved for three years from the date on which it was made.
- Limitation Act 1980, s.5: six years for claims in contract (commissioning agreements, provider due diligence).

No Flask and no database here: the service gathers the facts, this module answers.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class Trigger(enum.StrEnum):
    """The event that starts a record's retention clock."""

    PUPIL_BIRTH = "pupil_birth"  # periods counted from the pupil's date of birth ("DOB + 25 years")
    PUPIL_LEAVES = "pupil_leaves"  # the pupil left the school (their record was archived)
    ENTRY_MADE = "entry_made"  # the date the entry itself was made
    PLACEMENT_ENDS = "placement_ends"
    PROVIDER_STOPS_BEING_USED = "provider_stops_being_used"  # the school's last placement there ended
    NEVER = "never"  # kept: no clock


class RetentionAction(enum.StrEnum):
    DESTROY = "destroy"
    ANONYMISE = "anonymise"  # personal data removed, the row kept so aggregate reports still count it
    KEEP = "keep"

    @property
    def label(self) -> str:
        return {"destroy": "Destroy", "anonymise": "Anonymise", "keep": "Keep"}[self.value]


IRMS = "IRMS Information Management Toolkit for Schools"
KCSIE = "Keeping children safe in education (KCSIE) and the IRMS toolkit, child protection files"
REGISTRATION = "The Education (Pupil Registration) (England) Regulations 2006"
LIMITATION = "Limitation Act 1980, s.5 (contracts), as the IRMS toolkit applies it"


@dataclass(frozen=True)
class RetentionRule:
    record: str  # the model's class name
    what: str  # the kind of record, in words
    trigger: Trigger
    years: int | None  # None only for KEEP
    action: RetentionAction
    source: str
    setting: bool = False  # the toolkit leaves it to the school: RETENTION_YEARS[record] overrides `years`
    # Only once the pupil has left as well (a pupil still on roll keeps their record whatever their age).
    after_pupil_leaves: bool = True

    def __post_init__(self):
        if (self.action is RetentionAction.KEEP) != (self.years is None):
            raise ValueError(f"{self.record}: a kept record has no period; any other action needs one")
        if (self.trigger is Trigger.NEVER) != (self.action is RetentionAction.KEEP):
            raise ValueError(f"{self.record}: only kept records have no trigger")

    @property
    def period(self) -> str:
        if self.years is None:
            return "kept"
        start = {
            Trigger.PUPIL_BIRTH: "the pupil's date of birth",
            Trigger.PUPIL_LEAVES: "the pupil leaves",
            Trigger.ENTRY_MADE: "the entry was made",
            Trigger.PLACEMENT_ENDS: "the placement ends",
            Trigger.PROVIDER_STOPS_BEING_USED: "the provider stops being used",
        }[self.trigger]
        return f"{self.years} year{'' if self.years == 1 else 's'} after {start}"


_SAFEGUARDING = ("Child protection information: date of birth of the pupil + 25 years, then review "
                 f"(IRMS 'Child protection files'; {KCSIE})")
_PUPIL_FILE = f"{IRMS}, 'Pupil file' (secondary): date of birth of the pupil + 25 years"

SCHEDULE: tuple[RetentionRule, ...] = (
    # The pupil's own row is anonymised, not destroyed, so counts of pupils in AP stay true in past reports.
    RetentionRule("Pupil", "Pupil details", Trigger.PUPIL_BIRTH, 25, RetentionAction.ANONYMISE, _PUPIL_FILE),
    RetentionRule("Carer", "Parents and carers", Trigger.PUPIL_BIRTH, 25, RetentionAction.DESTROY, _PUPIL_FILE),
    RetentionRule("Referral", "Referral and needs analysis", Trigger.PUPIL_BIRTH, 25, RetentionAction.DESTROY,
                  _PUPIL_FILE),
    RetentionRule("PupilRiskAssessment", "Individual pupil risk assessments", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.DESTROY, _SAFEGUARDING),
    RetentionRule("ParentConsultation", "Parent and carer consultations", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.DESTROY, _PUPIL_FILE),
    RetentionRule("Involvement", "LA, virtual school and social worker involvement", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.DESTROY, _SAFEGUARDING),
    RetentionRule("BelongingAction", "Continued belonging (5.4)", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.DESTROY, _PUPIL_FILE),
    RetentionRule("EventRiskAssessment", "School event risk assessments (5.5)", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.DESTROY, _SAFEGUARDING),
    RetentionRule("WelfareCheck", "Welfare checks (children missing education)", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.DESTROY, _SAFEGUARDING),
    RetentionRule("PlacementReview", "Half-termly placement reviews (8.3)", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.DESTROY, _PUPIL_FILE),
    RetentionRule("PupilProgressEntry", "Progress, achievements and the pupil's voice (8.7)",
                  Trigger.PUPIL_BIRTH, 25, RetentionAction.DESTROY, _PUPIL_FILE),
    # Part-time timetables (section 9) and flexi-schooling (section 10) are part of the pupil's file: the
    # arrangement's row is anonymised (dates and codes stay, so the headteacher's report still counts it); the
    # reviews, which are mostly views in people's own words, are destroyed.
    RetentionRule("PartTimeTimetable", "Part-time timetables (section 9)", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.ANONYMISE, _PUPIL_FILE),
    RetentionRule("PartTimeTimetableReview", "Part-time timetable reviews (9.7)", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.DESTROY, _PUPIL_FILE),
    RetentionRule("FlexiRequest", "Flexi-schooling requests, meetings and decisions (10.2-10.5)",
                  Trigger.PUPIL_BIRTH, 25, RetentionAction.ANONYMISE, _PUPIL_FILE),
    RetentionRule("FlexiAgreement", "Flexi-schooling agreements (10.6)", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.ANONYMISE, _PUPIL_FILE),
    RetentionRule("FlexiReview", "Flexi-schooling reviews (10.8)", Trigger.PUPIL_BIRTH, 25,
                  RetentionAction.DESTROY, _PUPIL_FILE),
    # The mark is kept for the school's attendance figures; the free-text note (the personal detail) goes.
    RetentionRule("AttendanceSession", "Attendance at the provider, AM and PM", Trigger.ENTRY_MADE, 3,
                  RetentionAction.ANONYMISE,
                  f"{REGISTRATION}: every attendance register entry preserved for 3 years from the date it was "
                  "made; a longer period is the school's choice", setting=True, after_pupil_leaves=False),
    RetentionRule("Placement", "Placements and their outcomes (8.7)", Trigger.PLACEMENT_ENDS, 6,
                  RetentionAction.ANONYMISE, f"{LIMITATION}: the commissioning agreement, 6 years after it ends",
                  setting=True, after_pupil_leaves=False),
    RetentionRule("ProviderEvidenceFile", "Provider due-diligence evidence files", Trigger.PROVIDER_STOPS_BEING_USED,
                  6, RetentionAction.DESTROY, f"{LIMITATION}: contract monitoring records, 6 years after the last "
                  "placement with the provider ends", setting=True, after_pupil_leaves=False),
    RetentionRule("Notification", "Emails and notices sent (the outbox)", Trigger.ENTRY_MADE, 2,
                  RetentionAction.DESTROY, f"{IRMS} leaves routine correspondence to the school: default 2 years "
                  "(the notice itself is kept on the record it concerns)", setting=True, after_pupil_leaves=False),
    RetentionRule("WebhookEvent", "Events sent to the trust's other systems (webhooks), with their delivery log",
                  Trigger.ENTRY_MADE, 1, RetentionAction.DESTROY, "UK GDPR Article 5(1)(e), storage limitation: "
                  "a copy of what the records hold, kept to trace a delivery; default 1 year", setting=True,
                  after_pupil_leaves=False),
    RetentionRule("AuditEvent", "The audit trail", Trigger.NEVER, None, RetentionAction.KEEP,
                  "UK GDPR Article 5(2) accountability: the trail shows what was done and is append-only",
                  after_pupil_leaves=False),
)


def rule_for(record: str, schedule: Iterable[RetentionRule] = SCHEDULE) -> RetentionRule:
    for rule in schedule:
        if rule.record == record:
            return rule
    raise KeyError(record)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class RecordFacts:
    """What the service knows about one record: its kind, id and school, the dates of the events that start
    clocks (None: the event has not happened), and whether a legal hold covers it."""

    record: str
    record_id: int
    school_id: int | None
    events: Mapping[Trigger, dt.date | None]
    pupil_left_on: dt.date | None = None
    on_legal_hold: bool = False


@dataclass(frozen=True)
class Due:
    record: str
    record_id: int
    school_id: int | None
    action: RetentionAction
    due_on: dt.date


def parse_settings(text: str | None, schedule: Iterable[RetentionRule] = SCHEDULE) -> dict[str, int]:
    """RETENTION_YEARS, e.g. "AttendanceSession=6,Placement=7": only rows the toolkit leaves to the school, and
    never shorter than the cited default (a school may keep longer, not less)."""
    rules = {rule.record: rule for rule in schedule}
    settings: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        record, _, years = part.partition("=")
        rule = rules.get(record.strip())
        if rule is None or not rule.setting:
            raise ValueError(f"RETENTION_YEARS: {record.strip()!r} is not a period the school may set "
                             f"(one of {', '.join(r.record for r in schedule if r.setting)})")
        if not years.strip().isdigit() or int(years) < rule.years:
            raise ValueError(f"RETENTION_YEARS: {record.strip()} needs whole years, at least {rule.years}")
        settings[rule.record] = int(years)
    return settings


def years_for(rule: RetentionRule, settings: Mapping[str, int] | None = None) -> int | None:
    """The period in force: the school's setting where the toolkit leaves it to them, else the schedule's."""
    if rule.setting and settings and rule.record in settings:
        return int(settings[rule.record])
    return rule.years


def due_on(rule: RetentionRule, facts: RecordFacts, settings: Mapping[str, int] | None = None) -> dt.date | None:
    """When the record falls due for its action, or None while it cannot be due (kept, the event not yet
    happened, the pupil still on roll)."""
    if rule.action is RetentionAction.KEEP:
        return None
    start = facts.events.get(rule.trigger)
    if start is None:
        return None
    if rule.after_pupil_leaves and facts.pupil_left_on is None:
        return None
    return add_years(start, years_for(rule, settings))


def due_for_action(facts: Iterable[RecordFacts], on: dt.date, settings: Mapping[str, int] | None = None,
                   schedule: Iterable[RetentionRule] = SCHEDULE) -> list[Due]:
    """The records due for retention action on day `on`: their date reached, and no legal hold on them.
    A record whose kind is not in the schedule is never due (kept until someone decides)."""
    rules = {rule.record: rule for rule in schedule}
    due: list[Due] = []
    for fact in facts:
        rule = rules.get(fact.record)
        if rule is None or fact.on_legal_hold:
            continue
        when = due_on(rule, fact, settings)
        if when is not None and when <= on:
            due.append(Due(fact.record, fact.record_id, fact.school_id, rule.action, when))
    return sorted(due, key=lambda d: (d.due_on, d.record, d.record_id))
