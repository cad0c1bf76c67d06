"""When an unregistered provider must be registered as an independent school (policy 7.2; s.463 Education Act
1996; statutory-facts.md).

Full-time education for PUPIL_THRESHOLD or more pupils of compulsory school age, or for at least one such pupil
in a ONE_PUPIL_CATEGORIES category, needs registration. "Full-time" is not defined in law: DfE treats more than
FULL_TIME_HOURS_OVER hours a week at the setting as full-time. Every threshold and category lives here, so when the
Children's Wellbeing and Schools Act 2026 s.43 comes into force (any pupil with SEN) the change is one line:

    ONE_PUPIL_CATEGORIES = ("has_sen", "is_looked_after")

Plain functions: no Flask, no database. The trust's services gather the facts across every school.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FULL_TIME_HOURS_OVER = 18.0  # hours a week at the provider; DfE guidance, not law
PUPIL_THRESHOLD = 5  # pupils of compulsory school age educated full-time
ONE_PUPIL_CATEGORIES = ("has_ehcp", "is_looked_after")  # one such full-time pupil is enough
NEAR_MARGIN = 1  # "near the threshold": this many pupils short of it (4 of 5)

# Registration status values (app.models.RegistrationStatus) the rule applies to.
UNREGISTERED = "unregistered"


@dataclass(frozen=True)
class PupilAtProvider:
    """One pupil's education at one provider: their weekly hours there across every placement."""

    compulsory_school_age: bool
    weekly_hours: float
    has_ehcp: bool = False
    is_looked_after: bool = False
    has_sen: bool = False  # SEN support or an EHCP: what CWSA 2026 s.43 will count


@dataclass(frozen=True)
class RegistrationAssessment:
    full_time_count: int  # full-time pupils of compulsory school age
    one_pupil_count: int  # of those, pupils in a one-pupil category (EHCP or looked after)
    one_pupil_breach: bool
    count_breach: bool
    at_or_near_threshold: bool

    @property
    def must_report(self) -> bool:
        """The provider should be registered and is not: the school reports it and does not use it (7.2)."""
        return self.one_pupil_breach or self.count_breach

    @property
    def summary(self) -> str:
        if self.one_pupil_breach:
            return (f"{self.one_pupil_count} full-time pupil(s) with an EHCP or looked after: "
                    "must be registered (7.2)")
        if self.count_breach:
            return f"{self.full_time_count} full-time pupils of compulsory school age: must be registered (7.2)"
        if self.at_or_near_threshold:
            return f"{self.full_time_count} of {PUPIL_THRESHOLD} full-time pupils: near the registration threshold"
        return f"{self.full_time_count} full-time pupil(s) of compulsory school age"


def rule_applies(registration_status: str) -> bool:
    """7.2: only an unregistered provider can breach the rule (a registered school or setting is already
    inspected)."""
    return str(registration_status) == UNREGISTERED


def is_full_time(weekly_hours: float) -> bool:
    """7.2 with DfE guidance: more than 18 hours a week at the setting is full-time (exactly 18 is not)."""
    return weekly_hours > FULL_TIME_HOURS_OVER


def in_one_pupil_category(pupil: PupilAtProvider) -> bool:
    """7.2: a pupil with an EHCP or looked after (ONE_PUPIL_CATEGORIES)."""
    return any(getattr(pupil, category) for category in ONE_PUPIL_CATEGORIES)


def registration_assessment(pupils: Sequence[PupilAtProvider]) -> RegistrationAssessment:
    """Policy 7.2 (s.463 Education Act 1996): what the provider does for these pupils, judged against the
    registration thresholds. Only full-time pupils of compulsory school age count."""
    counted = [p for p in pupils if p.compulsory_school_age and is_full_time(p.weekly_hours)]
    return assessment_of_counts(len(counted), sum(1 for p in counted if in_one_pupil_category(p)))


def assessment_of_counts(full_time_count: int, one_pupil_count: int) -> RegistrationAssessment:
    """Policy 7.2 judged from the two counts alone (full-time pupils of compulsory school age, and those of them in
    a one-pupil category): what `registration_assessment` decides, and what a stored verdict is read back with."""
    count_breach = full_time_count >= PUPIL_THRESHOLD
    one_pupil_breach = one_pupil_count >= 1
    near = full_time_count >= PUPIL_THRESHOLD - NEAR_MARGIN
    return RegistrationAssessment(
        full_time_count=full_time_count, one_pupil_count=one_pupil_count, one_pupil_breach=one_pupil_breach,
        count_breach=count_breach, at_or_near_threshold=near or count_breach or one_pupil_breach,
    )


def would_breach(current: Sequence[PupilAtProvider], proposed: PupilAtProvider) -> bool:
    """Policy 7.2, for a placement being saved or started: would the provider, with this pupil added, be one
    that must be registered? That refuses a placement that would create the breach and one that would continue
    it ("the school will not use the services of any such provider"), even a part-time one."""
    return registration_assessment([*current, proposed]).must_report
