"""Forms of the attendance pages (issue 6). Each session's row posts its own small form; the buttons share the
minutes-late and absence-reason fields, and app.services.attendance_today decides which of them counts."""
from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField

from app.forms.base import ServiceForm
from app.forms.choices import choose, options
from app.services.attendance_today import ABSENCE_REASON_CHOICES, VIA_CHOICES


class ConfirmSessionForm(ServiceForm):
    outcome = StringField("Outcome")  # the pressed button: attended, late or absent
    via = SelectField("How you know", choices=options(VIA_CHOICES), default="call", validate_choice=False)
    minutes_late = StringField("Minutes late")
    absence_reason = SelectField("Absence reason", choices=choose("No reason given yet (N)", ABSENCE_REASON_CHOICES),
                                 validate_choice=False)
    note = TextAreaField("Note")


class ConfirmProviderForm(ServiceForm):
    via = SelectField("How you know", choices=options(VIA_CHOICES), default="call", validate_choice=False)
