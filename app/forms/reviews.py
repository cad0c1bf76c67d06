"""The half-termly review form (8.2): everything the policy asks a review to record."""
from __future__ import annotations

from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.forms.base import ServiceForm
from app.forms.calendar import SchoolDateField
from app.services.reviews import ReviewInput


class ReviewForm(ServiceForm):
    held_on = SchoolDateField("Date the review was held",
                              validators=[InputRequired(message="Enter the date the review was held.")])
    pupil_attended = BooleanField("The pupil")
    parents_attended = BooleanField("Parents or carers")
    provider_attended = BooleanField("The provider")
    school_attended = BooleanField("The school", default=True)
    local_authority_attended = BooleanField("The local authority (SEND)")
    virtual_school_attended = BooleanField("The Virtual School")
    social_worker_attended = BooleanField("The social worker")
    attendees_note = TextAreaField("Names and roles of those who attended")
    attendance_note = TextAreaField("About the attendance since the last review")
    progress_against_aims = TextAreaField("Progress against the placement's aims")
    pupil_views = TextAreaField("The pupil's views")
    parents_views = TextAreaField("The parents' or carers' views")
    changes_agreed = TextAreaField("Changes agreed")
    reintegration_steps = TextAreaField("Steps towards reintegration")
    next_review_on = SchoolDateField("Next review date", validators=[Optional()])
    risk_assessment_reviewed = BooleanField("The pupil's risk assessment was reviewed")

    def data_in(self) -> ReviewInput:
        return ReviewInput(**{name: self[name].data for name in ReviewInput.__dataclass_fields__})
