from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.forms.base import ServiceForm


class CodeForm(ServiceForm):
    code = StringField("Code", validators=[DataRequired(message="Enter the 6-digit code from your app."),
                                           Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"})


class NewRecoveryCodesForm(ServiceForm):
    pass
