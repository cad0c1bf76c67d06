from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.forms.base import FlaskForm
from app.forms.choices import options
from app.models import NotificationPreference


class NotificationPreferenceForm(FlaskForm):
    preference = RadioField(
        "How should AP Hub send you prompts that are not urgent?",
        choices=options([(NotificationPreference.IMMEDIATE.value, "Straight away, one email each"),
                 (NotificationPreference.DAILY_DIGEST.value, "In one email each morning")]),
        validators=[DataRequired(message="Choose how you get prompts.")],
    )
    submit = SubmitField("Save preference")


class NewApiTokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(message="Give the token a name."), Length(max=100)])
    create = SubmitField("Create token")


class RevokeApiTokenForm(FlaskForm):
    pass


class SendTestEmailForm(FlaskForm):
    send = SubmitField("Send me a test email")


class SignOutEverywhereForm(FlaskForm):
    sign_out = SubmitField("Sign out everywhere")
