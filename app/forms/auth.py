from app.forms.base import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(message="Enter your email address."),
                                                    Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
