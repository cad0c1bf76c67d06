"""Forms for invitations, password resets, changing a password and removing a leaver."""
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from app.forms.base import ServiceForm
from app.services.passwords import MAX_LENGTH


class ForgotPasswordForm(ServiceForm):
    email = EmailField("Email address", validators=[DataRequired(message="Enter your email address."),
                                                    Length(max=254)])


class SetPasswordForm(ServiceForm):
    password = PasswordField("New password", validators=[DataRequired(message="Enter a new password."),
                                                         Length(max=MAX_LENGTH)])
    confirm = PasswordField("New password again", validators=[DataRequired(message="Type the new password again."),
                                                              Length(max=MAX_LENGTH)])


class ChangePasswordForm(ServiceForm):
    current_password = PasswordField("Current password", validators=[
        DataRequired(message="Enter your current password."), Length(max=MAX_LENGTH)])
    new_password = PasswordField("New password", validators=[DataRequired(message="Enter a new password."),
                                                             Length(max=MAX_LENGTH)])
    confirm = PasswordField("New password again", validators=[DataRequired(message="Type the new password again."),
                                                              Length(max=MAX_LENGTH)])


class RemoveLeaverForm(ServiceForm):
    pass
