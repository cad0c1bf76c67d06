"""Forms of the school census's AP placements (issue 16 item 7): the census period, a placement's primary reason,
a provider's census identifiers."""
from __future__ import annotations

from wtforms import SelectField, StringField

from app.forms.base import ServiceForm
from app.forms.calendar import SchoolDateField
from app.policy.census_codes import REASONS, SETTING_TYPES


class CensusPeriodForm(ServiceForm):
    """Read from the query string (a GET form: the period is in the page's address, so it can be bookmarked)."""

    class Meta:
        csrf = False

    first_day = SchoolDateField("First day of the census period")
    last_day = SchoolDateField("Last day (census day)")


class CensusReasonForm(ServiceForm):
    census_reason = SelectField("Primary reason for the placement", validate_choice=False,
                                choices=[("", "Follow the referral's reasons")]
                                + [(c.code, f"{c.label} ({c.code})") for c in REASONS])


class CensusProviderForm(ServiceForm):
    urn = StringField("URN (6 digits), if the provider has one")
    ukprn = StringField("UKPRN (8 digits), if it has no URN")
    ap_setting_type = SelectField("AP setting type, if it has neither", validate_choice=False,
                                  choices=[("", "Not needed: it has a URN or UKPRN")]
                                  + [(c.code, f"{c.label} ({c.code})") for c in SETTING_TYPES])
