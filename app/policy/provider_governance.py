"""Who may change the shared provider register (policy 7.1, 7.9; design invariant 9: the register belongs to the
schools that use it). Plain rules, no Flask, no database: given who uses a provider, they answer.

A provider is used by a school with a current or planned placement there. While other schools use it, only a
school that uses it too, or the trust safeguarding lead, may change the shared record (its details, sites,
contacts, a material change, a suspension); any other school may raise a concern, which reaches the schools
that use it and the trust. No edit changes who owns a provider: "on-site" (a school's own provision) is only
for a provider the school created and no other school uses."""
from __future__ import annotations

REFUSED = ("Other schools have pupils placed at this provider, so only those schools and the trust safeguarding "
           "lead may change its record. Raise a concern instead: it reaches them and the trust.")
ON_SITE_REFUSED = ("Only the school that added this provider, while no other school uses it, can record it as "
                   "its own on-site provision.")


def may_change_shared_record(this_school_uses: bool, other_schools_using: int, trust_safeguarding_lead: bool,
                             owned_by_this_school: bool = False) -> bool:
    """7.1, 7.9: a school that uses the provider, its owner (on-site provision), the trust safeguarding lead,
    or anyone while nobody else relies on it (a provider being vetted for a first placement)."""
    return trust_safeguarding_lead or owned_by_this_school or this_school_uses or other_schools_using == 0


def may_record_as_on_site(created_by_this_school: bool, other_schools_using: int,
                          owned_by_this_school: bool) -> bool:
    """7.1: on-site provision is one school's own: only the school that added the provider, while no other
    school uses it (or the school that already owns it)."""
    return owned_by_this_school or (created_by_this_school and other_schools_using == 0)


def owner_after_edit(current_owner_id: int | None, on_site: bool, school_id: int,
                     created_by_school_id: int | None) -> int | None:
    """Who owns a provider after an edit that passed `may_record_as_on_site`: an edit never takes a provider
    from another school or from the trust; the creating school's provider becomes its own only when it says
    so (on-site), and its own becomes the trust's when it is no longer on-site."""
    if on_site:
        if current_owner_id is not None:
            return current_owner_id
        return school_id if created_by_school_id == school_id else None
    return None if current_owner_id == school_id else current_owner_id
