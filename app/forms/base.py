"""The base of every form. Every free-text box gets a length limit here, once, with a message naming the
field (issue 13 item 10); the service's problems go back on the fields."""
from flask_wtf import FlaskForm as _FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from app.input_edges import LINE_MAX, TEXT_MAX


def _label_words(unbound_field) -> str:
    label = unbound_field.args[0] if unbound_field.args else unbound_field.kwargs.get("label") or "This"
    return str(label).replace("(optional)", "").strip() or "This"


class FlaskForm(_FlaskForm):
    class Meta(_FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            cls = unbound_field.field_class
            validators = list(unbound_field.kwargs.get("validators") or [])
            if issubclass(cls, StringField) and not any(isinstance(v, Length) and v.max not in (None, -1)
                                                        for v in validators):
                limit = TEXT_MAX if issubclass(cls, TextAreaField) else LINE_MAX
                validators.append(Length(max=limit, message=f"{_label_words(unbound_field)} must be {limit} "
                                                            "characters or fewer."))
                unbound_field.kwargs["validators"] = validators
            return super().bind_field(form, unbound_field, options)


class ServiceForm(FlaskForm):
    def add_errors(self, errors: dict[str, str]) -> None:
        """Put the service's problems on the fields they are about (the error summary names them); a problem
        about no field goes above the form."""
        for name, message in errors.items():
            if name in self:
                self[name].errors = [*self[name].errors, message]
            else:
                self.form_errors.append(message)
