"""Forms for entering a school's half-terms and training days."""
from __future__ import annotations

from app.forms.base import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms.base import ServiceForm
from app.school_calendar import TERMS, HalfTermDates, academic_year_label

HALF_TERM_CHOICES = [SelectChoice(f"{term}-{part}", f"{term.title()} {part}") for term in TERMS for part in (1, 2)]


class SchoolDateField(DateField):
    """A date input that also takes 04/09/2025 (browsers without a date picker). An empty box is "not given"
    (InputRequired says so); anything else that is not a date says so, not that the box is empty."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"],
                         invalid_value_message="Enter a real date, for example 04/09/2025.", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata([valuelist[0].strip()])


class HalfTermForm(ServiceForm):
    academic_year = SelectField("School year", coerce=int,
                                validators=[DataRequired(message="Choose the school year.")])
    half_term = SelectField("Half-term", choices=HALF_TERM_CHOICES,
                            validators=[DataRequired(message="Choose which half-term this is.")])
    first_day = SchoolDateField("First day", validators=[InputRequired(message="Enter the first day.")])
    last_day = SchoolDateField("Last day", validators=[InputRequired(message="Enter the last day.")])

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.academic_year.choices = [SelectChoice(y, academic_year_label(y)) for y in sorted(set(years))]

    @classmethod
    def for_half_term(cls, half_term, years: list[int], **kwargs) -> HalfTermForm:
        return cls(years=[*years, half_term.academic_year], academic_year=half_term.academic_year,
                   half_term=f"{half_term.term.value}-{half_term.part}", first_day=half_term.first_day,
                   last_day=half_term.last_day, **kwargs)

    def dates(self) -> HalfTermDates:
        term, part = self.half_term.data.split("-")
        return HalfTermDates(self.academic_year.data, term, int(part), self.first_day.data, self.last_day.data)


class TrainingDayForm(ServiceForm):
    day = SchoolDateField("Training day", validators=[InputRequired(message="Enter the date of the training day.")])
    note = StringField("Note (optional)", validators=[Length(max=200, message="The note must be 200 characters "
                                                                              "or fewer.")])


class RemoveForm(FlaskForm):
    """A button that removes one record: CSRF only."""
