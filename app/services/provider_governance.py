"""The shared register's governance in practice (issue 13 items 1-2): who may change a provider's record
(app/policy/provider_governance.py), telling the other schools that use it about every structural change, and
keeping each in the audit trail."""
from __future__ import annotations

from flask_login import current_user

from app.audit import record_event
from app.clock import now
from app.extensions import db
from app.models import PlacementStatus, Provider, School
from app.policy import provider_governance as rules
from app.roles import SchoolRoleName, TrustRoleName
from app.services.notifications import queue_for_users
from app.services.providers.base import SUBJECT
from app.services.providers.suspension import _provider_url, _schools_with_placements
from app.services.tasks import school_role_holders
from tenants import school_scope


def _using(provider_id: int) -> dict[int, int]:
    return _schools_with_placements(provider_id, (PlacementStatus.PLANNED, PlacementStatus.ACTIVE))


def _trust_safeguarding_lead(user) -> bool:
    return any(tr.role == TrustRoleName.TRUST_SAFEGUARDING_LEAD for tr in getattr(user, "trust_roles", []))


def refusal(provider: Provider, school: School, user=None) -> str | None:
    """Why this school may not change the provider's shared record (None: it may)."""
    user = user if user is not None else current_user
    using = _using(provider.id)
    others = len([s for s in using if s != school.id])
    allowed = rules.may_change_shared_record(
        this_school_uses=school.id in using, other_schools_using=others,
        trust_safeguarding_lead=_trust_safeguarding_lead(user),
        owned_by_this_school=provider.owning_school_id == school.id)
    return None if allowed else rules.REFUSED


def kind_problem(provider: Provider | None, on_site: bool, school: School) -> str | None:
    """A field problem when an edit would make a provider on-site that may not be (None: fine)."""
    if not on_site or provider is None:
        return None
    others = len([s for s in _using(provider.id) if s != school.id])
    if rules.may_record_as_on_site(created_by_this_school=provider.created_by_school_id == school.id,
                                   other_schools_using=others,
                                   owned_by_this_school=provider.owning_school_id == school.id):
        return None
    return rules.ON_SITE_REFUSED


def owner_after_edit(provider: Provider, on_site: bool, school: School, creating: bool) -> int | None:
    if creating:
        return school.id if on_site else None
    return rules.owner_after_edit(provider.owning_school_id, on_site, school.id, provider.created_by_school_id)


def tell_other_schools(provider: Provider, school: School, user, what: str) -> list[int]:
    """A structural change (a site or contact removed, details changed): audited, and the other schools with
    a current or planned placement there are told (their AP leaders and DSLs). The caller commits."""
    record_event(db.session, "provider_changed", "Provider", provider.id, school_id=school.id,
                 actor_id=user.id, detail=what[:500])
    others = sorted(s for s in _using(provider.id) if s != school.id)
    for school_id in others:
        with school_scope(school_id):
            people = (school_role_holders(school_id, SchoolRoleName.AP_LEADER)
                      + school_role_holders(school_id, SchoolRoleName.DSL))
            queue_for_users(people, dedupe_key=f"provider-changed:{provider.id}:{db.session.info.get('_gov_n', 0)}"
                                               f":{what[:40]}:{school_id}:{user.id}:{_stamp()}",
                            template="provider_changed", urgent=False, about_type=SUBJECT, about_id=provider.id,
                            about_label=provider.name[:200], school_id=school_id,
                            context={"provider_name": provider.name, "what": what, "by": user.full_name,
                                     "school": school.name, "link": _provider_url(school_id, provider.id)})
            db.session.flush()
    return others


def _stamp() -> str:
    return now().strftime("%Y%m%dT%H%M%S%f")
