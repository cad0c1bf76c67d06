"""Forms for the provider register, its checks, risk assessment, concerns and suspension (policy 7.1-7.9)."""
from __future__ import annotations

from wtforms import BooleanField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from app.forms.base import FlaskForm, ServiceForm
from app.forms.calendar import SchoolDateField
from app.forms.choices import choose, options
from app.models import ConcernSeverity, ProviderKind, RegistrationStatus, RiskRating
from app.services.providers import CONCERN_CATEGORIES, FirstContact, FirstSite, ProviderDetails, StatusFilter

KIND_LABELS = {ProviderKind.ON_SITE: "On-site (the school's own provision)", ProviderKind.OFF_SITE: "Off-site",
               ProviderKind.ONLINE_ONLY: "Online only"}
REGISTRATION_LABELS = {
    RegistrationStatus.REGISTERED_INDEPENDENT_SCHOOL: "Registered independent school (Ofsted URN)",
    RegistrationStatus.OTHER_REGISTERED: "Other registered setting (a college, another school)",
    RegistrationStatus.UNREGISTERED: "Unregistered",
}


class ProviderForm(ServiceForm):
    name = StringField("Name", validators=[DataRequired(message="Enter the provider's name."), Length(max=200)])
    kind = RadioField("Kind of provision", choices=options((k.value, v) for k, v in KIND_LABELS.items()),
                      validators=[DataRequired(message="Choose the kind of provision.")])
    registration_status = RadioField("Registration status",
                                     choices=options((k.value, v) for k, v in REGISTRATION_LABELS.items()),
                                     validators=[DataRequired(message="Choose the registration status.")])
    ofsted_urn = StringField("Ofsted URN", validators=[Optional(), Length(max=20)])
    website = StringField("Website", validators=[Optional(), URL(message="Enter a web address starting https://"),
                                                 Length(max=300)])
    social_media = StringField("Social media", validators=[Optional(), Length(max=300)])
    email = StringField("Email address", validators=[Optional(), Email(message="Enter a real email address."),
                                                     Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    latest_report_date = SchoolDateField("Date of the latest report", validators=[Optional()])
    latest_report_judgement = StringField("Judgement", validators=[Optional(), Length(max=100)])
    latest_report_by = StringField("Report by", validators=[Optional(), Length(max=100)])
    latest_report_url = StringField("Link to the report",
                                    validators=[Optional(), URL(message="Enter a web address starting https://"),
                                                Length(max=500)])
    on_la_approved_list = BooleanField("On the local authority's approved list")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])

    @classmethod
    def for_provider(cls, provider) -> ProviderForm:
        details = ProviderDetails.of(provider)
        return cls(data={**details.__dict__, "kind": details.kind.value,
                         "registration_status": details.registration_status.value})

    def details(self) -> ProviderDetails:
        return ProviderDetails(
            name=self.name.data.strip(), kind=ProviderKind(self.kind.data),
            registration_status=RegistrationStatus(self.registration_status.data),
            **{name: getattr(self, name).data for name in (
                "ofsted_urn", "website", "social_media", "email", "phone", "latest_report_date",
                "latest_report_judgement", "latest_report_by", "latest_report_url", "on_la_approved_list", "notes")})


class NewProviderForm(ProviderForm):
    """A new provider with its first site and contact on the same page (issue 14: vetting needs both)."""

    site_name = StringField("Site name", validators=[Optional(), Length(max=200)])
    site_address = TextAreaField("Site address", validators=[Optional(), Length(max=500)])
    site_postcode = StringField("Postcode", validators=[Optional(), Length(max=10)])
    contact_name = StringField("Contact's name", validators=[Optional(), Length(max=200)])
    contact_role = StringField("Their role", validators=[Optional(), Length(max=100)])
    contact_email = StringField("Their email address",
                                validators=[Optional(), Email(message="Enter a real email address."),
                                            Length(max=254)])
    contact_phone = StringField("Their phone", validators=[Optional(), Length(max=40)])

    def first_site(self) -> FirstSite:
        return FirstSite(self.site_name.data, self.site_address.data, self.site_postcode.data)

    def first_contact(self) -> FirstContact:
        return FirstContact(self.contact_name.data, self.contact_role.data, self.contact_email.data,
                            self.contact_phone.data)


class SiteForm(ServiceForm):
    name = StringField("Site name", validators=[DataRequired(message="Enter the site's name."), Length(max=200)])
    address = TextAreaField("Address", validators=[DataRequired(message="Enter the address."), Length(max=500)])
    postcode = StringField("Postcode", validators=[Optional(), Length(max=10)])


class ContactForm(ServiceForm):
    name = StringField("Name", validators=[DataRequired(message="Enter the contact's name."), Length(max=200)])
    role = StringField("Role", validators=[Optional(), Length(max=100)])
    email = StringField("Email address", validators=[Optional(), Email(message="Enter a real email address."),
                                                     Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])


class CheckItemForm(ServiceForm):
    outcome = RadioField("Outcome", choices=options([("met", "Met"), ("not_met", "Not met"),
                                                     ("not_applicable", "Not applicable")]),
                         validators=[DataRequired(message="Choose met, not met or not applicable.")])
    not_applicable_reason = TextAreaField("Why it does not apply", validators=[Optional(), Length(max=2000)])
    evidence_note = TextAreaField("Evidence", validators=[Optional(), Length(max=5000)])
    checked_on = SchoolDateField("Date checked", validators=[Optional()])
    files = MultipleFileField("Evidence files")


class RiskAssessmentForm(ServiceForm):
    rating = RadioField("Risk rating", choices=options((r.value, r.value.title()) for r in RiskRating),
                        validators=[DataRequired(message="Choose the risk rating.")])
    risks = TextAreaField("Risks found", validators=[Optional(), Length(max=5000)])
    mitigations = TextAreaField("Mitigations", validators=[Optional(), Length(max=5000)])


class MaterialChangeForm(ServiceForm):
    note = TextAreaField("What has changed", validators=[DataRequired(message="Describe what has changed."),
                                                         Length(max=5000)])


class SuspendForm(ServiceForm):
    reason = TextAreaField("Reason for suspending",
                           validators=[DataRequired(message="Say why the provider is suspended."), Length(max=5000)])


class LiftSuspensionForm(ServiceForm):
    reason = TextAreaField("Reason for lifting the suspension",
                           validators=[DataRequired(message="Say why the suspension is lifted."),
                                       Length(max=500, message="Keep the reason to 500 characters or fewer.")])


class ResolveConcernForm(ServiceForm):
    resolution = TextAreaField("How the concern was resolved",
                               validators=[DataRequired(message="Say how the concern was resolved."),
                                           Length(max=5000)])


class ConcernForm(ServiceForm):
    category = SelectField("What the concern is about", choices=choose("Choose…", CONCERN_CATEGORIES.items()),
                           validators=[DataRequired(message="Choose what the concern is about.")])
    severity = RadioField("How serious", choices=options((s.value, s.value.title()) for s in ConcernSeverity),
                          validators=[DataRequired(message="Choose how serious the concern is.")])
    details = TextAreaField("Details", validators=[DataRequired(message="Describe the concern."),
                                                   Length(max=5000)])


class RemoveForm(FlaskForm):
    """A button that archives a site or contact (CSRF only)."""


class StartCheckForm(FlaskForm):
    """The button that starts a round of checks (CSRF only)."""


class ChecklistForm(FlaskForm):
    """The checklist page's answers (CSRF only: the items are read by code, app/views/provider_checks.py)."""


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Name, address or postcode", validators=[Optional()])
    status = SelectField("Status", choices=choose("Any status", ((s.value, s.label) for s in StatusFilter)),
                         validators=[Optional()])
    kind = SelectField("Kind", choices=choose("Any kind", ((k.value, v) for k, v in KIND_LABELS.items())),
                       validators=[Optional()])
