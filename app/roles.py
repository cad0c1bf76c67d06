"""The roles people hold, in the policy's words (section 4 and the key contacts page)."""
import enum


class SchoolRoleName(enum.StrEnum):
    AP_LEADER = "ap_leader"
    HEADTEACHER = "headteacher"
    DSL = "dsl"
    ATTENDANCE_OFFICER = "attendance_officer"
    DESIGNATED_GOVERNOR = "designated_governor"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return SCHOOL_ROLE_LABELS[self]


SCHOOL_ROLE_LABELS = {
    SchoolRoleName.AP_LEADER: "Alternative Provision Leader",
    SchoolRoleName.HEADTEACHER: "Headteacher",
    SchoolRoleName.DSL: "Designated Safeguarding Lead (DSL)",
    SchoolRoleName.ATTENDANCE_OFFICER: "Attendance Officer",
    SchoolRoleName.DESIGNATED_GOVERNOR: "Designated Governor for Alternative Provision",
    SchoolRoleName.STAFF: "Staff",
}


class TrustRoleName(enum.StrEnum):
    TRUST_SAFEGUARDING_LEAD = "trust_safeguarding_lead"
    TRUST_SEND_LEAD = "trust_send_lead"
    DESIGNATED_TRUSTEE = "designated_trustee"

    @property
    def label(self) -> str:
        return TRUST_ROLE_LABELS[self]


TRUST_ROLE_LABELS = {
    TrustRoleName.TRUST_SAFEGUARDING_LEAD: "Trust Safeguarding Lead",
    TrustRoleName.TRUST_SEND_LEAD: "Trust SEND Lead",
    TrustRoleName.DESIGNATED_TRUSTEE: "Designated Trustee for Alternative Provision",
}

# The school roles shown on the key contacts page, in the policy's order.
KEY_CONTACT_ROLES = (
    SchoolRoleName.AP_LEADER,
    SchoolRoleName.DSL,
    SchoolRoleName.ATTENDANCE_OFFICER,
    SchoolRoleName.DESIGNATED_GOVERNOR,
)
