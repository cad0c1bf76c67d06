"""Flexi-schooling forms (policy section 10). Required answers are checked by the services (one place for each
rule); the forms parse what was typed and carry CSRF."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.forms.base import ServiceForm
from app.forms.calendar import SchoolDateField
from app.models import FlexiReviewOutcome


class RequestForm(ServiceForm):
    pupil_id = SelectField("Pupil", coerce=int, validate_choice=False)
    received_on = SchoolDateField("Date the written request was received", validators=[Optional()])
    requested_by = StringField("Parent or carer who made the request")
    request_summary = TextAreaField("What the request asks for and why")
    meeting_offered_on = SchoolDateField("Date a meeting was offered (optional)", validators=[Optional()])
    document = FileField("The written request (optional)")


class MeetingForm(ServiceForm):
    meeting_offered_on = SchoolDateField("Date the meeting was offered", validators=[Optional()])
    meeting_held_on = SchoolDateField("Date the meeting was held (optional)", validators=[Optional()])
    meeting_note = TextAreaField("Notes of the meeting (optional)")


class DecisionForm(ServiceForm):
    decision = RadioField("Decision", choices=[("approve", "Approve the request"), ("refuse", "Refuse the request")],
                          validate_choice=False)
    reasons = TextAreaField("Reasons for the decision")


class LetterSentForm(ServiceForm):
    sent_on = SchoolDateField("Date the letter was sent", validators=[Optional()])


class DocumentForm(ServiceForm):
    document = FileField("The written request")


class AgreementForm(ServiceForm):
    pupil_needs = TextAreaField("Key information about the pupil and their needs")
    rationale = TextAreaField("The rationale for flexi-schooling")
    start_date = SchoolDateField("Date the arrangement begins", validators=[Optional()])
    home_education_provision = TextAreaField("The education provided at home")
    section_7_how_met = TextAreaField("How the parent or carer will make sure it meets section 7 of the Education "
                                      "Act 1996")
    welfare_responsible_at_home = StringField("Who is primarily responsible for the pupil's welfare at home")
    school_curriculum = TextAreaField("Curriculum at school")
    school_assessments = TextAreaField("Assessments at school")
    school_send_provision = TextAreaField("SEND provision at school (if any)")


class ReviewForm(ServiceForm):
    held_on = SchoolDateField("Date the review was held", validators=[Optional()])
    progress = TextAreaField("How the arrangement is going")
    pupil_views = TextAreaField("The pupil's views (optional)")
    parents_views = TextAreaField("The parents' or carers' views (optional)")
    outcome = RadioField("Outcome", choices=[
        (FlexiReviewOutcome.CONTINUE.value, "Continue as agreed"),
        (FlexiReviewOutcome.CONTINUE_WITH_CHANGES.value, "Continue with changes"),
        (FlexiReviewOutcome.WITHDRAW.value, "The school will withdraw (record the notice next)")],
        validate_choice=False)
    changes_agreed = TextAreaField("Changes agreed")


class WithdrawalForm(ServiceForm):
    withdrawn_by = RadioField("Who is withdrawing", choices=[("parent", "The parent or carer"),
                                                             ("school", "The school")], validate_choice=False)
    notice_given_on = SchoolDateField("Date notice was given", validators=[Optional()])
    end_date = SchoolDateField("Date the arrangement ends", validators=[Optional()])
    reason = TextAreaField("Reason (required with less than four weeks' notice)")
