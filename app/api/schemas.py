"""One marshmallow schema per resource. Output-only for now; loads are allow-lists when writes arrive."""
from marshmallow import fields

from app.api.limits import Schema
from app.models import SchoolPhase


class SchoolRoleSchema(Schema):
    school_slug = fields.String(attribute="school.slug")
    role = fields.String(attribute="role.value")
    covers = fields.String(allow_none=True)


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.Email()
    full_name = fields.String()
    school_roles = fields.List(fields.Nested(SchoolRoleSchema))
    trust_roles = fields.Method("_trust_roles")

    def _trust_roles(self, user):
        return [tr.role.value for tr in user.trust_roles]


class SchoolSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    urn = fields.String()
    phase = fields.String(attribute="phase.value")
    local_authority = fields.String(attribute="local_authority.name")


class ContactPersonSchema(Schema):
    name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class ContactLineSchema(Schema):
    label = fields.String()
    people = fields.Method("_people")

    def _people(self, line):
        return ContactPersonSchema(many=True).dump(
            [{"name": n, "email": e, "phone": p} for n, e, p in line.people])


class KeyContactsSchema(Schema):
    school = fields.Nested(SchoolSchema)
    school_contacts = fields.List(fields.Nested(ContactLineSchema), attribute="school_lines")
    local_authority = fields.String(attribute="la_name")
    local_authority_contacts = fields.List(fields.Nested(ContactLineSchema), attribute="la_lines")
    trust = fields.String(attribute="trust_name")
    trust_contacts = fields.List(fields.Nested(ContactLineSchema), attribute="trust_lines")


class SchoolsQuerySchema(Schema):
    """GET /schools?phase=infant: only the schools of that phase."""

    phase = fields.Enum(SchoolPhase, by_value=True)
