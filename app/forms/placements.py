"""Forms for commissioning, starting and ending placements and for off-site directions."""
from __future__ import annotations

from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import NumberInput

from app.forms.base import FlaskForm, ServiceForm
from app.forms.calendar import SchoolDateField
from app.input_edges import id_from
from app.models import ArrangedBy, CostUnit
from app.services.placements import WEEKDAYS, DirectionInput, EndInput, PlacementInput, SessionInput

ARRANGED_BY_CHOICES = [
    SelectChoice(ArrangedBy.SCHOOL.value, "The school (register code B when attending)"),
    SelectChoice(ArrangedBy.LOCAL_AUTHORITY.value, "The local authority (code K)"),
    SelectChoice(ArrangedBy.DUAL_REGISTRATION.value, "Another school where the pupil is dual registered (code D)"),
]
COST_UNIT_CHOICES = [SelectChoice("", "Choose…")] + [SelectChoice(u.value, f"per {u.value}") for u in CostUnit]



class PlacementForm(ServiceForm):
    # The rules of these fields live once, in the service (app.services.placements.commissioning
    # `_placement_errors`): the form reads the values and shows the service's messages on its fields.
    pupil_id = SelectField("Pupil", coerce=id_from, validate_choice=False)
    provider_id = SelectField("Provider", coerce=id_from, validate_choice=False)
    provider_site_id = SelectField("Site (optional)", coerce=id_from, validate_choice=False)
    start_date = SchoolDateField("Start date", validators=[Optional()])
    planned_end_date = SchoolDateField("Planned end (optional)", validators=[Optional()])
    arranged_by = SelectField("Who arranged the provision", choices=ARRANGED_BY_CHOICES, default="school")
    is_off_site_direction = BooleanField("This is an off-site direction to improve behaviour (section 6)")
    online_justification = TextAreaField("For an online-only provider: why there is no appropriate alternative")

    def __init__(self, *args, pupils, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupil_id.choices = [SelectChoice("", "Choose a pupil…")] + [
            SelectChoice(p.id, f"{p.last_name}, {p.first_name} (year {p.year_group})") for p in pupils]
        self.provider_id.choices = [SelectChoice("", "Choose a provider…")] + [
            SelectChoice(p.id, f"{p.name} ({p.kind.value.replace('_', '-')})") for p in providers]
        self.provider_site_id.choices = [SelectChoice("", "No particular site")] + [
            SelectChoice(s.id, f"{p.name}: {s.name}") for p in providers for s in p.sites if not s.is_archived]

    def data_in(self) -> PlacementInput:
        return PlacementInput(pupil_id=self.pupil_id.data, provider_id=self.provider_id.data,
                              provider_site_id=self.provider_site_id.data, start_date=self.start_date.data,
                              planned_end_date=self.planned_end_date.data, arranged_by=self.arranged_by.data,
                              is_off_site_direction=self.is_off_site_direction.data,
                              online_justification=self.online_justification.data)


class AgreementForm(ServiceForm):
    aims_and_outcomes = TextAreaField("Aims and planned outcomes")
    curriculum_and_qualifications = TextAreaField("Curriculum and qualifications worked towards")
    personal_development = TextAreaField("Personal development")
    careers_guidance = TextAreaField("Careers information, advice and guidance")
    induction = TextAreaField("Induction")
    pastoral_arrangements = TextAreaField("Pastoral care")
    attendance_arrangements = TextAreaField("Attendance: how the school is told each AM and PM session")
    safeguarding_arrangements = TextAreaField("Safeguarding, including safer recruitment")
    free_school_meals_arrangements = TextAreaField("Free school meals (when the pupil is eligible)")
    exam_arrangements = TextAreaField("External examinations and assessments (if appropriate)")
    communication_arrangements = TextAreaField("Communication with the school and with parents and carers")
    cost_amount = DecimalField("Cost (£)", places=2, validators=[Optional()],
                               render_kw={"inputmode": "decimal"})
    cost_unit = SelectField("The cost is", choices=COST_UNIT_CHOICES)
    review_arrangements = TextAreaField("How the placement is reviewed, and with whom")
    review_every_weeks = IntegerField("Reviews every (weeks)", widget=NumberInput(min=1, max=52),
                                      validators=[Optional()])
    qa_visit_every_weeks = IntegerField("Quality assurance visits every (weeks)", widget=NumberInput(min=1, max=52),
                                        validators=[Optional()])
    agreed_on = SchoolDateField("Date agreed with the provider", validators=[Optional()])

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class SessionsForm(ServiceForm):
    """Ten rows, Monday AM to Friday PM: tick the sessions at the provision and give their times."""

    def sessions(self) -> list[SessionInput]:
        chosen = []
        for weekday in range(5):
            for session in ("am", "pm"):
                if self[f"s{weekday}_{session}_on"].data:
                    chosen.append(SessionInput(weekday, session, self[f"s{weekday}_{session}_starts"].data,
                                               self[f"s{weekday}_{session}_ends"].data))
        return chosen

    def rows(self):
        return [(WEEKDAYS[d], s.upper(), self[f"s{d}_{s}_on"], self[f"s{d}_{s}_starts"], self[f"s{d}_{s}_ends"],
                 f"{d}-{s}") for d in range(5) for s in ("am", "pm")]

    def add_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            if "-" in key:
                d, s = key.split("-")
                target = self[f"s{d}_{s}_starts"]
                target.errors = [*target.errors, message]
            else:
                self.form_errors.append(message)

    @classmethod
    def for_placement(cls, placement, **kwargs):
        data = {}
        for ws in placement.weekly_sessions:
            key = f"s{ws.weekday}_{ws.session.value}"
            data.update({f"{key}_on": True, f"{key}_starts": ws.starts_at, f"{key}_ends": ws.ends_at})
        return cls(data=data, **kwargs)


for _d in range(5):
    for _s in ("am", "pm"):
        _name = f"{WEEKDAYS[_d]} {_s.upper()}"
        setattr(SessionsForm, f"s{_d}_{_s}_on", BooleanField(f"{_name} at the provision"))
        setattr(SessionsForm, f"s{_d}_{_s}_starts", TimeField(f"{_name} starts", validators=[Optional()]))
        setattr(SessionsForm, f"s{_d}_{_s}_ends", TimeField(f"{_name} ends", validators=[Optional()]))


class KeyInformationForm(ServiceForm):
    shared_on = SchoolDateField("Date shared with the provider",
                                validators=[InputRequired(message="Enter the date the information was shared.")])
    note = TextAreaField("What was shared and how (special educational needs included)")


class EndForm(ServiceForm):
    ended_on = SchoolDateField("Last day of the placement",
                               validators=[InputRequired(message="Enter the date the placement ended.")])
    destination = StringField("Destination after the placement")
    progress = TextAreaField("Progress")
    achievements = TextAreaField("Achievements (qualifications, awards)")
    pupil_assessment = TextAreaField("The pupil's own assessment of the provision")

    def data_in(self) -> EndInput:
        return EndInput(ended_on=self.ended_on.data, progress=self.progress.data,
                        achievements=self.achievements.data, destination=self.destination.data,
                        pupil_assessment=self.pupil_assessment.data)


class DirectionForm(ServiceForm):
    reasons_and_objectives = TextAreaField("Reasons for the direction and its objectives")
    report_to = StringField("Who the pupil reports to on arrival")
    review_on = SchoolDateField("Review date", validators=[Optional()])
    ends_by = SchoolDateField("Latest end date (the maximum period)", validators=[Optional()])

    def data_in(self) -> DirectionInput:
        return DirectionInput(reasons_and_objectives=self.reasons_and_objectives.data,
                              review_on=self.review_on.data, ends_by=self.ends_by.data,
                              report_to=self.report_to.data)


class ApprovalForm(ServiceForm):
    approved_on = SchoolDateField("Date the governing body approved it",
                                  validators=[InputRequired(message="Enter the date of the approval.")])
    reference = StringField("Meeting or minute reference")


class LetterSentForm(ServiceForm):
    sent_on = SchoolDateField("Date the letter was sent",
                              validators=[InputRequired(message="Enter the date the letter was sent.")])


class ActionForm(FlaskForm):
    """A button that acts on one record (start, cancel): CSRF only."""
