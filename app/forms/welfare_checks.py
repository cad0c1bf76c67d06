"""Forms for welfare checks: recording one, and raising one by hand (KCSIE; policy 4.4, 4.5)."""
from __future__ import annotations

import datetime as dt

from wtforms import RadioField, SelectField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Optional

from app import clock
from app.forms.base import ServiceForm
from app.forms.calendar import SchoolDateField
from app.forms.choices import choose, options
from app.policy.attendance import ABSENCE_REASONS
from app.policy.welfare import METHODS, OUTCOMES
from app.services.welfare_records import WelfareRecordInput


def _id_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class WelfareRecordForm(ServiceForm):
    method = RadioField("How the check was made", choices=options(METHODS.items()), validate_choice=False)
    outcome = RadioField("Outcome", choices=options(OUTCOMES.items()), validate_choice=False)
    absence_reason = SelectField(
        "Absence reason for the register (with 'reason obtained', optional)", validate_choice=False,
        choices=choose("No change to the register", [(r.code, f"{r.code}: {r.label}") for r in ABSENCE_REASONS]))
    notes = TextAreaField("Notes (required when the pupil is not located: what was tried, who was contacted)")
    checked_on = SchoolDateField("Date of the check", validators=[InputRequired(message="Enter the date of the check.")])
    checked_time = TimeField("Time of the check", validators=[InputRequired(message="Enter the time of the check.")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            local = clock.local_now()
            self.checked_on.data = self.checked_on.data or local.date()
            self.checked_time.data = self.checked_time.data or local.time().replace(second=0, microsecond=0)

    def data_in(self) -> WelfareRecordInput:
        checked_at = None
        if isinstance(self.checked_on.data, dt.date) and isinstance(self.checked_time.data, dt.time):
            checked_at = clock.local_datetime(self.checked_on.data, self.checked_time.data)
        return WelfareRecordInput(method=self.method.data or None, outcome=self.outcome.data or None,
                                  notes=self.notes.data, checked_at=checked_at,
                                  absence_reason=self.absence_reason.data or None)


class RaiseCheckForm(ServiceForm):
    pupil_id = SelectField("Pupil", coerce=_id_or_none, validate_choice=False,
                           validators=[Optional()])
    note = TextAreaField("Why (optional)")

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupil_id.choices = choose("Choose a pupil…", [(p.id, f"{p.display_name} (year {p.year_group})")
                                                           for p in pupils])
