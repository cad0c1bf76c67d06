"""The school census return of AP placements arranged by the school (issue 16 item 7): for a census period, each
placement's row in the DfE's items, what the school must fix first, and the CSV once nothing is missing.

Runs in one school's scope (the page's and the API's); three queries whatever the number of placements. The rules
are app.policy.census_placements'; the codes app.policy.census_codes'.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.input_edges import DATE_MAX, DATE_MIN, DATE_RANGE_MESSAGE
from app.models import Placement, Provider, Pupil, School, User
from app.models.placements import WeeklySession
from app.models.providers import RegistrationStatus
from app.models.pupils import Referral
from app.policy import census_placements as rules
from app.policy.census_codes import (
    CSV_COLUMNS,
    REASON_LABELS,
    SETTING_TYPE_LABELS,
    UKPRN_DIGITS,
    URN_DIGITS,
)
from app.services import provider_governance as governance
from app.services.results import Result, refused

MAX_PERIOD_DAYS = 400


@dataclass(frozen=True)
class CensusRow:
    placement_id: int
    pupil: Pupil
    provider_id: int
    provider_name: str
    urn: str
    ukprn: str
    setting_type: str
    entry_date: dt.date
    leaving_date: dt.date | None
    reason: str | None
    sessions_per_week: int
    missing: tuple[rules.Missing, ...]

    def as_csv(self) -> list[str]:
        p = self.pupil
        return [p.upn, p.last_name, p.first_name, p.date_of_birth.isoformat(), self.urn, self.ukprn,
                self.setting_type, self.entry_date.isoformat(),
                self.leaving_date.isoformat() if self.leaving_date else "", self.reason or "",
                str(self.sessions_per_week)]


@dataclass(frozen=True)
class CensusReturn:
    first_day: dt.date
    last_day: dt.date
    rows: list[CensusRow]

    @property
    def missing_count(self) -> int:
        return sum(len(r.missing) for r in self.rows)

    @property
    def ready(self) -> bool:
        """The CSV is given only when no row misses anything."""
        return self.missing_count == 0

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in self.rows:
            writer.writerow(row.as_csv())
        return out.getvalue()


def period_errors(first_day: dt.date | None, last_day: dt.date | None) -> dict[str, str]:
    errors = {}
    if first_day is None:
        errors["first_day"] = "Enter the first day of the census period."
    if last_day is None:
        errors["last_day"] = "Enter the last day of the census period."
    if not errors and last_day < first_day:
        errors["last_day"] = "The last day must be on or after the first day."
    elif not errors and not DATE_MIN <= first_day <= last_day <= DATE_MAX:
        errors["first_day"] = f"The census period's days {DATE_RANGE_MESSAGE}."
    elif not errors and (last_day - first_day).days > MAX_PERIOD_DAYS:
        errors["last_day"] = "A census period is at most a school year: choose a shorter period."
    return errors


def _facts(placement: Placement, provider: Provider, reasons, sessions: int) -> rules.CensusFacts:
    return rules.CensusFacts(
        status=str(placement.status), arranged_by=str(placement.arranged_by), provider_kind=str(provider.kind),
        start_date=placement.start_date, ended_on=placement.ended_on, provider_urn=provider.ofsted_urn,
        provider_ukprn=provider.ukprn, provider_setting_type=provider.ap_setting_type,
        chosen_reason=placement.census_reason, off_site_direction=placement.is_off_site_direction,
        referral_reasons=tuple(reasons or ()), sessions_per_week=sessions)


def census_return(first_day: dt.date, last_day: dt.date) -> CensusReturn:
    """Every placement the school returns for the period, pupils by name then entry date."""
    found = db.session.execute(
        select(Placement, Provider, Pupil, Referral.reasons)
        .join(Provider, Provider.id == Placement.provider_id).join(Pupil, Pupil.id == Placement.pupil_id)
        .outerjoin(Referral, Referral.id == Placement.referral_id)
        .where(Placement.archived_at.is_(None), Placement.start_date <= last_day,
               (Placement.ended_on.is_(None)) | (Placement.ended_on >= first_day))
        .order_by(Pupil.last_name, Pupil.first_name, Placement.start_date, Placement.id)).all()
    ids = [p.id for p, *_ in found]
    sessions = dict(db.session.execute(
        select(WeeklySession.placement_id, func.count()).where(WeeklySession.placement_id.in_(ids))
        .group_by(WeeklySession.placement_id)).all()) if ids else {}
    rows = []
    for placement, provider, pupil, reasons in found:
        facts = _facts(placement, provider, reasons, sessions.get(placement.id, 0))
        if not rules.is_returned(facts, first_day, last_day):
            continue
        urn, ukprn, setting = rules.provider_items(facts.provider_urn, facts.provider_ukprn,
                                                   facts.provider_setting_type)
        rows.append(CensusRow(
            placement.id, pupil, provider.id, provider.name, urn, ukprn, setting, placement.start_date,
            rules.leaving_date(placement.ended_on, last_day),
            rules.primary_reason(facts.chosen_reason, facts.off_site_direction, facts.referral_reasons),
            facts.sessions_per_week, tuple(rules.missing_items(facts))))
    return CensusReturn(first_day, last_day, rows)


# --- fixing what is missing -------------------------------------------------------------------------------------


def set_reason(placement: Placement, code: str | None, by: User) -> Result:
    """The primary reason the school returns for the placement (a census code, or empty to follow the referral).
    Commits."""
    code = (code or "").strip().upper() or None
    if code is not None and code not in REASON_LABELS:
        return refused({"census_reason": "Choose a primary reason from the list."})
    placement.census_reason = code
    db.session.commit()
    return Result(record=placement)


def set_provider_items(provider: Provider, urn: str | None, ukprn: str | None, setting_type: str | None,
                       school: School, by: User) -> Result:
    """The provider's census identifiers: its URN, else its UKPRN, else its AP setting type. A change to the shared
    register: audited, and the other schools using the provider are told (invariant 9). The caller has checked
    this school may change it (app.services.provider_governance.refusal). Commits."""
    urn, ukprn = (urn or "").strip() or None, (ukprn or "").strip() or None
    setting_type = (setting_type or "").strip().upper() or None
    errors = {}
    if urn and not (urn.isdigit() and len(urn) == URN_DIGITS):
        errors["urn"] = f"Enter the URN as {URN_DIGITS} digits, or leave it empty."
    if ukprn and not (ukprn.isdigit() and len(ukprn) == UKPRN_DIGITS and ukprn.startswith("1")):
        errors["ukprn"] = f"Enter the UKPRN as {UKPRN_DIGITS} digits starting with 1, or leave it empty."
    if setting_type and setting_type not in SETTING_TYPE_LABELS:
        errors["ap_setting_type"] = "Choose an AP setting type from the list."
    if not (urn or ukprn or setting_type):
        errors["urn"] = "Enter the URN or the UKPRN, or choose the AP setting type when it has neither."
    if provider.registration_status == RegistrationStatus.REGISTERED_INDEPENDENT_SCHOOL and not urn:
        errors["urn"] = "A registered independent school has a URN: enter it."
    if errors:
        return refused(errors)
    provider.ofsted_urn, provider.ukprn, provider.ap_setting_type = urn, ukprn, setting_type
    governance.tell_other_schools(provider, school, by, "Its census identifiers (URN, UKPRN, setting type) were "
                                                        "edited.")
    db.session.commit()
    return Result(record=provider)
