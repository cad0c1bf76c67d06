"""The legal holds page's forms (issue 19 item 2): placing a hold on a pupil's or a provider's records, lifting one.
The rules live in app.services.legal_holds; these read the boxes and show its messages on the fields."""
from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from app.forms.base import ServiceForm
from app.forms.choices import choose
from app.input_edges import id_from
from app.services.legal_holds import REASON_MAX


class PupilHoldForm(ServiceForm):
    # coerce=id_from: the empty option or a tampered value reads as None, and the service names the field.
    school_id = SelectField("School", coerce=id_from, validate_choice=False)
    upn = StringField("Pupil's UPN", render_kw={"spellcheck": "false"})
    reason = TextAreaField("Why the records must be kept")

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_id.choices = choose("Choose the school", schools)


class ProviderHoldForm(ServiceForm):
    provider_id = SelectField("Provider", coerce=id_from, validate_choice=False)
    # Posted as provider_reason (one page, two reason boxes); called reason here, the service's word for it.
    reason = TextAreaField("Why the records must be kept", name="provider_reason")

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider_id.choices = choose("Choose the provider", providers)


class LiftHoldForm(ServiceForm):
    # A one-line box, held to the service's limit (the base would hold it to a line's 200 characters).
    lift_reason = StringField("Why it can be lifted", validators=[Length(
        max=REASON_MAX, message=f"Why it can be lifted must be {REASON_MAX} characters or fewer.")])


def lift_forms(hold_ids) -> dict[int, LiftHoldForm]:
    """An empty lift form per hold still on; each box has its own id (its name stays lift_reason)."""
    forms = {}
    for hold_id in hold_ids:
        form = LiftHoldForm(formdata=None)
        form.lift_reason.id = f"lift-reason-{hold_id}"
        forms[hold_id] = form
    return forms
