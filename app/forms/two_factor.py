from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from app.forms.base import ServiceForm


class CodeForm(ServiceForm):
    code = StringField("Code", validators=[DataRequired(message="Enter the 6-digit code from your app."),
                                           Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"})


class NewRecoveryCodesForm(ServiceForm):
    pass


class AddPasskeyForm(ServiceForm):
    name = StringField("Name of the passkey", validators=[
        DataRequired(message="Enter a name for the passkey, for example the device it is on."),
        Length(max=60, message="Name of the passkey must be 60 characters or fewer.")],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    credential = HiddenField(validators=[Length(max=20_000)])


class UsePasskeyForm(ServiceForm):
    credential = HiddenField(validators=[Length(max=20_000)])


class RemovePasskeyForm(ServiceForm):
    pass
