"""The base of every form whose input a service checks: the service's problems go back on the fields."""
from flask_wtf import FlaskForm


class ServiceForm(FlaskForm):
    def add_errors(self, errors: dict[str, str]) -> None:
        """Put the service's problems on the fields they are about (the error summary names them); a problem
        about no field goes above the form."""
        for name, message in errors.items():
            if name in self:
                self[name].errors = [*self[name].errors, message]
            else:
                self.form_errors.append(message)
