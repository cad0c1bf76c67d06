"""The service navigation: a school's pages in four groups, each page shown only to those whose role opens it.

Declared once as data, so the header (base.html), the admin's header and the tests read the same table. A
page of another engineer's area joins by adding a `NavPage` to its group. The group holding the current page is
marked active and its pages are listed under the navigation, the current one marked: "where you are".
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, request, url_for

from app.permissions import Permission


@dataclass(frozen=True)
class NavPage:
    text: str
    endpoint: str
    permission: str | None = None  # None: everyone with a role in the school
    # Hidden from whoever holds this permission (a fuller page of the same group serves them instead).
    unless: str | None = None
    # Other endpoints whose pages belong under this one (e.g. a provider's record under "Providers").
    prefixes: tuple[str, ...] = ()

    def covers(self, endpoint: str | None) -> bool:
        if not endpoint:
            return False
        if endpoint == self.endpoint:
            return True
        return any(endpoint.startswith(prefix) for prefix in self.prefixes)


@dataclass(frozen=True)
class NavGroup:
    text: str
    pages: tuple[NavPage, ...]


SCHOOL_NAVIGATION: tuple[NavGroup, ...] = (
    # Attendance first: for those who may see it, it is the morning's work; the others land on their tasks.
    NavGroup("Today", (
        NavPage("Attendance today", "attendance.index", Permission.ATTENDANCE_VIEW, ("attendance.",)),
        NavPage("Welfare checks", "welfare_checks.index", Permission.WELFARE_CHECKS_VIEW, ("welfare_checks.",)),
        NavPage("Your tasks", "inbox.index"),
    )),
    NavGroup("Pupils and placements", (
        NavPage("Pupils", "pupils.index", Permission.PUPILS_VIEW, ("pupils.",)),
        NavPage("Placements", "placements.index", Permission.PLACEMENTS_VIEW, ("placements.",)),
        NavPage("Reviews", "reviews.index", Permission.REVIEWS_VIEW, ("reviews.",)),
        NavPage("Part-time timetables", "part_time.index", Permission.PART_TIME_VIEW, ("part_time.",)),
        # Any member of staff may propose one (9.5), though only some see the list.
        NavPage("Propose a part-time timetable", "part_time.new", Permission.PART_TIME_PROPOSE,
                unless=Permission.PART_TIME_VIEW),
        NavPage("Flexi-schooling", "flexi.index", Permission.FLEXI_VIEW, ("flexi.",)),
    )),
    NavGroup("Providers", (
        NavPage("Providers", "providers.index", Permission.PROVIDERS_VIEW, ("providers.", "provider_checks.")),
        NavPage("Provider links", "provider_links.index", Permission.PROVIDER_LINKS_MANAGE, ("provider_links.",)),
        NavPage("Quality assurance", "qa.index", Permission.QA_VIEW, ("qa.",)),
    )),
    NavGroup("School", (
        NavPage("Key contacts", "school.key_contacts"),
        NavPage("External notices", "notices.index", Permission.EXTERNAL_NOTICES_VIEW, ("notices.",)),
        NavPage("Calendar", "calendar.overview", None, ("calendar.",)),
        NavPage("School census", "census.index", Permission.CENSUS_VIEW, ("census.",)),
        NavPage("Staff access", "staff.index", Permission.STAFF_MANAGE, ("staff.",)),
    )),
)


@dataclass(frozen=True)
class NavLink:
    text: str
    href: str
    current: bool


@dataclass(frozen=True)
class NavSection:
    text: str
    href: str
    active: bool
    pages: tuple[NavLink, ...]

    @property
    def item(self) -> dict:
        """As an item of govukServiceNavigation."""
        return {"text": self.text, "href": self.href, "active": self.active}


def school_navigation() -> list[NavSection]:
    """The groups the signed-in person may open in the current school, in order, each with its pages."""
    permissions = getattr(g, "school_permissions", None)
    if permissions is None:
        return []
    endpoint = request.endpoint
    sections = []
    for group in SCHOOL_NAVIGATION:
        pages = [page for page in group.pages
                 if (page.permission is None or page.permission in permissions)
                 and not (page.unless and page.unless in permissions)]
        if not pages:
            continue
        links = tuple(NavLink(page.text, url_for(page.endpoint), page.covers(endpoint)) for page in pages)
        sections.append(NavSection(group.text, links[0].href, any(link.current for link in links), links))
    return sections


def init_app(app) -> None:
    @app.context_processor
    def _navigation():
        return {"school_navigation": school_navigation}
