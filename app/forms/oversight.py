"""Forms for the headteacher's report (4.2), its presentation to governors, the governors' notes (4.1)."""
from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField

from app.forms.base import ServiceForm
from app.forms.calendar import SchoolDateField


class ProduceReportForm(ServiceForm):
    term = SelectField("A term", validate_choice=False)
    label = StringField("Or name a date range (optional)")
    first_day = SchoolDateField("First day")
    last_day = SchoolDateField("Last day")

    def __init__(self, *args, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.term.choices = [("", "A date range (below)")] + [
            (f"{t.first_day.isoformat()}|{t.last_day.isoformat()}|{t.label}", t.label) for t in reversed(terms)]


class PresentedForm(ServiceForm):
    presented_on = SchoolDateField("Date of the governors' meeting")
    presented_meeting = StringField("Meeting, for example 'Full governing body'")


class GovernorsNoteForm(ServiceForm):
    questions = TextAreaField("Questions governors asked")
    actions = TextAreaField("Actions agreed (optional)")
