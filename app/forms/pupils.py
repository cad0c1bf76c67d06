"""Forms for pupils and what precedes a placement. They parse (dates, numbers, choices); the rules live in
app.services.pupils, whose problems come back onto the fields with `add_errors`."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from app import clock
from app.forms.base import FlaskForm, ServiceForm
from app.forms.calendar import SchoolDateField
from app.forms.choices import choose, options
from app.policy.referral import REFERRAL_REASONS
from app.services.pupils import (
    BELONGING_KINDS,
    CONSULTATION_METHODS,
    EVENT_DECISIONS,
    PARTY_LABELS,
    YEAR_GROUPS,
)


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _RecordForm(ServiceForm):
    def values(self) -> dict:
        return {name: f.data for name, f in self._fields.items() if name != "csrf_token"}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()




class PupilForm(_RecordForm):
    upn = StringField("UPN (unique pupil number)")
    first_name = StringField("First name (legal)")
    last_name = StringField("Last name (legal)")
    preferred_name = StringField("Preferred first name (optional)")
    date_of_birth = SchoolDateField("Date of birth")
    year_group = SelectField("Year group", coerce=_int_or_none, validate_choice=False,
                             choices=choose("Choose the year group", [(str(k), v) for k, v in YEAR_GROUPS.items()]))
    has_ehcp = BooleanField("Has an education, health and care plan (EHCP)")
    sen_support = BooleanField("SEN support")
    is_looked_after = BooleanField("Looked after by the local authority")
    has_social_worker = BooleanField("Has an allocated social worker")
    social_worker_name = StringField("Social worker's name (optional)")
    social_worker_email = StringField("Social worker's email (optional)")
    social_worker_phone = StringField("Social worker's phone (optional)")
    fsm_eligible = BooleanField("Eligible for free school meals")
    medical_needs = TextAreaField("Medical needs (optional)")


class CarerForm(_RecordForm):
    name = StringField("Name")
    relationship_to_pupil = StringField("Relationship to the pupil (optional)")
    lives_with = BooleanField("The pupil normally lives with them", default=True)
    has_parental_responsibility = BooleanField("Has parental responsibility", default=True)
    email = StringField("Email")
    phone = StringField("Phone")
    address = TextAreaField("Address (optional)")


class ReferralForm(_RecordForm):
    academic_needs = TextAreaField("Academic needs")
    personal_needs = TextAreaField("Personal needs")
    social_needs = TextAreaField("Social needs")
    reasons = CheckboxesField("Reasons for alternative provision (policy 5.2)", choices=options(REFERRAL_REASONS),
                              validate_choice=False)
    on_site_options_considered = TextAreaField("On-site options considered first (optional)")
    options_considered = TextAreaField("Options considered and why this one")
    proposed_on = SchoolDateField("Date proposed", default=clock.today)


class RiskAssessmentForm(_RecordForm):
    assessed_on = SchoolDateField("Date of the assessment", default=clock.today)
    risks = TextAreaField("Risks")
    control_measures = TextAreaField("Control measures")
    review_due_on = SchoolDateField("Review due")


class ConsultationForm(_RecordForm):
    consulted_on = SchoolDateField("Date consulted", default=clock.today)
    method = SelectField("How", choices=choose("Choose how", CONSULTATION_METHODS), validate_choice=False)
    carer_id = SelectField("Parent or carer consulted (optional)", coerce=_int_or_none, validate_choice=False)
    carer_views = TextAreaField("Their views")
    school_decision = TextAreaField("The school's decision")
    decision_reason = TextAreaField("Why (optional)")

    def __init__(self, *args, carers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.carer_id.choices = choose("Not recorded", [(str(c.id), c.name) for c in carers])


class InvolvementForm(_RecordForm):
    party = SelectField("Who", validate_choice=False,
                        choices=choose("Choose who", [(p.value, label) for p, label in PARTY_LABELS.items()]))
    person_name = StringField("Their name")
    involved_on = SchoolDateField("Date involved", default=clock.today)
    ehcp_review_needed = RadioField("Is a formal EHCP review needed to change the named setting? (LA SEND only)",
                                    choices=options([("yes", "Yes"), ("no", "No")]), validate_choice=False)
    notes = TextAreaField("Notes (optional)")

    def values(self) -> dict:
        values = super().values()
        values["ehcp_review_needed"] = {"yes": True, "no": False}.get(self.ehcp_review_needed.data)
        return values


class BelongingActionForm(_RecordForm):
    kind = SelectField("What was done", choices=choose("Choose what", BELONGING_KINDS), validate_choice=False)
    on = SchoolDateField("Date", default=clock.today)
    note = TextAreaField("Note (optional; needed for 'something else')")


class EventRiskAssessmentForm(_RecordForm):
    event_name = StringField("Event or contact")
    event_on = SchoolDateField("Date of the event")
    assessment = TextAreaField("Risks and how they are managed")
    direction_circumstances_considered = TextAreaField(
        "Circumstances that led to the off-site direction, and anything since (needed for a directed pupil)")
    decision = SelectField("Decision", choices=choose("Choose the decision", EVENT_DECISIONS), validate_choice=False)
    assessed_on = SchoolDateField("Date assessed", default=clock.today)


class ImportUploadForm(_RecordForm):
    file = FileField("CSV file exported from your MIS")


class ImportConfirmForm(FlaskForm):
    token = HiddenField()


class ArchiveForm(FlaskForm):
    """A button that archives one record: CSRF only."""

