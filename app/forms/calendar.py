"""Forms for entering a school's half-terms and training days."""
from __future__ import annotations

from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms.base import FlaskForm, ServiceForm
from app.input_edges import DATE_MAX, DATE_MIN, DATE_RANGE_MESSAGE
from app.school_calendar import TERMS, HalfTermDates, academic_year_label

HALF_TERM_CHOICES = [SelectChoice(f"{term}-{part}", f"{term.title()} {part}") for term in TERMS for part in (1, 2)]


class _OneMore:
    """Form data with one more value: the date the three boxes make, under the field's own name."""

    def __init__(self, formdata, name, value):
        self._formdata, self._name, self._value = formdata, name, value

    def __contains__(self, key):
        return key == self._name or key in self._formdata

    def getlist(self, key):
        return [self._value] if key == self._name else self._formdata.getlist(key)


class SchoolDateField(DateField):
    """A GOV.UK date input: day, month and year boxes (`<name>-day`, `-month`, `-year`), never the browser's
    locale-dependent picker. One value under the field's own name (04/09/2025 or 2025-09-04) is read too, as
    scripts and older pages send it. Empty boxes are "not given" (InputRequired says so); anything else that is
    not a date says so, not that the box is empty. `parts` keeps what was typed, to show it again."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"],
                         invalid_value_message="Enter a real date, for example 4 9 2025.", **kwargs)

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.parts = None
        if formdata is not None and self.name not in formdata:
            parts = tuple(formdata.get(f"{self.name}-{part}", "").strip() for part in ("day", "month", "year"))
            if any(parts):
                self.parts = parts
                typed = "/".join(parts) if all(p.isdigit() for p in parts) and len(parts[2]) == 4 else "?"
                formdata = _OneMore(formdata, self.name, typed)
        super().process(formdata, data, extra_filters)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata([valuelist[0].strip()])
        if self.data is not None and not DATE_MIN <= self.data <= DATE_MAX:
            self.data = None
            raise ValueError(f"{self.label.text.replace('(optional)', '').strip()} {DATE_RANGE_MESSAGE}.")


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
