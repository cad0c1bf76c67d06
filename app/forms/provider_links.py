"""Forms for providers' attendance links: issuing one (school side) and recording a session (the link's page)."""
from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import Optional

from app.forms.base import ServiceForm
from app.forms.choices import choose
from app.input_edges import id_from
from app.policy.attendance import ABSENCE_REASONS
from app.services.provider_links import DEFAULT_DAYS, MAX_DAYS


class IssueLinkForm(ServiceForm):
    provider_id = SelectField("Provider", coerce=id_from, validate_choice=False)
    days = IntegerField(f"Valid for (days, 1 to {MAX_DAYS})", default=DEFAULT_DAYS, validators=[Optional()])
    label = StringField("Sent to (optional), for example the provider's office")
    email_it = BooleanField("Email the link to the provider's contact")

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider_id.choices = choose("Choose a provider…", [(p.id, p.name) for p in providers])


class LinkRecordForm(ServiceForm):
    """One session's mark on the provider's page (each row posts its own copy of these fields)."""

    outcome = SelectField("What happened", validate_choice=False,
                          choices=choose("Choose…", [("attended", "Attended"), ("late", "Late"),
                                                     ("absent", "Absent")]))
    minutes_late = IntegerField("Minutes late", validators=[Optional()])
    absence_reason = SelectField("Reason, if known", validate_choice=False,
                                 choices=choose("Not known", [(r.code, r.label) for r in ABSENCE_REASONS
                                                              if r.code != "N"]))
