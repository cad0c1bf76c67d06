"""Forms for the headteacher's report (4.2), its presentation to governors, the governors' notes (4.1)."""
from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField

from app.forms.base import ServiceForm
from app.forms.calendar import SchoolDateField
from app.input_edges import id_from


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



class ComplaintForm(ServiceForm):
    raised_by = StringField("Who raised it")
    raised_by_relationship = StringField("Their relationship to the school, for example parent, provider (optional)")
    received_on = SchoolDateField("Date received")
    about = TextAreaField("What it is about")
    pupil_id = SelectField("About a pupil (optional)", coerce=id_from, validate_choice=False)
    provider_id = SelectField("About a provider (optional)", coerce=id_from, validate_choice=False)

    def __init__(self, *args, pupils=(), providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.pupil_id.choices = [("", "No pupil")] + [(p.id, p.display_name) for p in pupils]
        self.provider_id.choices = [("", "No provider")] + [(p.id, p.name) for p in providers]


class ComplaintStageForm(ServiceForm):
    stage = SelectField("Move to the stage", validate_choice=False)
    on = SchoolDateField("Date the stage started")
    note = TextAreaField("Note (optional)")


class ComplaintCloseForm(ServiceForm):
    outcome = SelectField("Outcome", validate_choice=False)
    closed_on = SchoolDateField("Date of the outcome")
    outcome_note = TextAreaField("What was decided (optional)")


class MonitoringForm(ServiceForm):
    monitored_on = SchoolDateField("Date of the monitoring")
    findings = TextAreaField("What the monitoring found")
    actions = TextAreaField("Actions (optional)")


class AdoptionForm(ServiceForm):
    adopted_on = SchoolDateField("Date the trust adopted or reviewed the policy")
    next_review_on = SchoolDateField("Next review (leave empty for two years on)")
    reason = TextAreaField("Why the review is earlier than two years, if it is (optional)")
