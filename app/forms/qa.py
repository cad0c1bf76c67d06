"""Forms for quality assurance (8.4-8.7): a QA activity with its follow-up actions, an action's status, and a
record of the pupil's progress or voice. The services check the input; these only parse it."""
from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import Optional

from app.forms.base import ServiceForm
from app.forms.calendar import SchoolDateField
from app.forms.choices import choose, options
from app.input_edges import id_from
from app.models import ConcernSeverity, FollowUpStatus
from app.services.providers import CONCERN_CATEGORIES
from app.services.qa import KIND_LABELS, PROGRESS_LABELS, ActionInput, ActivityInput, ProgressInput

ACTION_ROWS = 3  # follow-up actions on the record form; more are added on the record's page



def _owner_choices(staff):
    return choose("Choose who owns it…", [(u.id, u.full_name) for u in staff])


class QAActivityForm(ServiceForm):
    kind = RadioField("What kind of activity", choices=options((k.value, label) for k, label in KIND_LABELS.items()),
                      validate_choice=False)
    held_on = SchoolDateField("Date", validators=[Optional()])
    provider_id = SelectField("Provider visited", coerce=id_from, validate_choice=False)
    placement_id = SelectField("Pupil's placement (required for a home visit, call or online meeting)",
                               coerce=id_from, validate_choice=False)
    staff_spoken_with = TextAreaField("Provider staff spoken with (including those working most closely with "
                                      "the pupil or pupils)")
    pupils_spoken_with = TextAreaField("Pupil or pupils spoken with")
    parents_spoken_with = TextAreaField("Parents or carers spoken with (if possible)")
    work_reviewed = TextAreaField("Pupil work reviewed")
    lessons_observed = TextAreaField("Lessons or activities observed")
    unstructured_time_observed = TextAreaField("Unstructured time observed (breaks, lunch, arrival)")
    findings = TextAreaField("Findings")
    serious_finding = BooleanField("This is a serious finding")
    raise_concern = BooleanField("Raise a concern about the provider (seen by every school using it and the trust)")
    concern_category = SelectField("What the concern is about", choices=choose("Choose…", CONCERN_CATEGORIES.items()),
                                   validate_choice=False)
    concern_severity = SelectField("How serious", validate_choice=False, choices=choose(
        "Choose…", [(s.value, s.value.title()) for s in ConcernSeverity]))

    def __init__(self, *args, providers, placements, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider_id.choices = choose("Choose the provider…", [(p.id, p.name) for p in providers])
        self.placement_id.choices = choose("None (a visit about all the school's pupils there)", [
            (p.id, f"{p.pupil.display_name} at {p.provider.name} ({p.status.value})") for p in placements])
        for i in range(ACTION_ROWS):
            self[f"action{i}_owner_id"].choices = _owner_choices(staff)

    def add_errors(self, errors: dict[str, str]) -> None:
        # The service names an action's fields "actions-<i>-<name>"; here they are "action<i>_<name>".
        renamed = {}
        for name, message in errors.items():
            if name.startswith("actions-"):
                _, i, rest = name.split("-", 2)
                name = f"action{i}_{rest}"
            renamed[name] = message
        super().add_errors(renamed)

    def data_in(self) -> ActivityInput:
        values = {name: self[name].data for name in ActivityInput.__dataclass_fields__ if name != "actions"}
        values["kind"] = values["kind"] or None
        values["concern_category"] = values["concern_category"] or None
        values["concern_severity"] = values["concern_severity"] or None
        actions = [ActionInput(self[f"action{i}_description"].data, self[f"action{i}_owner_id"].data,
                               self[f"action{i}_due_on"].data) for i in range(ACTION_ROWS)]
        return ActivityInput(**values, actions=actions)


for _i in range(ACTION_ROWS):
    setattr(QAActivityForm, f"action{_i}_description", TextAreaField(f"Follow-up action {_i + 1}"))
    setattr(QAActivityForm, f"action{_i}_owner_id",
            SelectField(f"Owner of action {_i + 1}", coerce=id_from, validate_choice=False))
    setattr(QAActivityForm, f"action{_i}_due_on", SchoolDateField(f"Action {_i + 1} due", validators=[Optional()]))


class FollowUpForm(ServiceForm):
    description = TextAreaField("Follow-up action")
    owner_id = SelectField("Owner", coerce=id_from, validate_choice=False)
    due_on = SchoolDateField("Due", validators=[Optional()])

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_id.choices = _owner_choices(staff)

    def data_in(self) -> ActionInput:
        return ActionInput(self.description.data, self.owner_id.data, self.due_on.data)


class FollowUpStatusForm(ServiceForm):
    status = RadioField("Outcome", validate_choice=False, choices=options(
        [(FollowUpStatus.DONE.value, "Done"), (FollowUpStatus.CANCELLED.value, "Cancelled")]))
    outcome_note = TextAreaField("What was done (or why it is cancelled)")


class ProgressForm(ServiceForm):
    kind = RadioField("What you are recording", validate_choice=False,
                      choices=options((k.value, label) for k, label in PROGRESS_LABELS.items()))
    recorded_on = SchoolDateField("Date", validators=[Optional()])
    text = TextAreaField("What was said or achieved")
    placement_id = SelectField("Placement (optional)", coerce=id_from, validate_choice=False)

    def __init__(self, *args, placements, **kwargs):
        super().__init__(*args, **kwargs)
        self.placement_id.choices = choose("None", [(p.id, f"{p.provider.name} (from {p.start_date:%-d %b %Y})")
                                                    for p in placements])

    def data_in(self) -> ProgressInput:
        return ProgressInput(kind=self.kind.data or None, recorded_on=self.recorded_on.data, text=self.text.data,
                             placement_id=self.placement_id.data)
