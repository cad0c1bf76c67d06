from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from app.forms.base import FlaskForm


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(message="Enter your email address."),
                                                    Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
