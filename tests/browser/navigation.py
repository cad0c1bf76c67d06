"""Going to a page through the service navigation: its group in the "Main" navigation, then the page in the
group's own navigation below it (app/navigation.py) when the group did not open on it."""
from __future__ import annotations

from playwright.sync_api import Page, expect

GROUP_OF = {
    "Attendance today": "Today", "Welfare checks": "Today", "Your tasks": "Today",
    "Pupils": "Pupils and placements", "Placements": "Pupils and placements", "Reviews": "Pupils and placements",
    "Flexi-schooling": "Pupils and placements", "Part-time timetables": "Pupils and placements",
    "Propose a part-time timetable": "Pupils and placements",
    "Providers": "Providers", "Provider links": "Providers", "Quality assurance": "Providers",
    "Key contacts": "School", "External notices": "School", "Calendar": "School", "Staff access": "School",
    "School census": "School",
}


def navigate(page: Page, name: str) -> int:
    """Open the page called `name`; returns the clicks it took (1 or 2)."""
    group = GROUP_OF[name]
    page.get_by_role("navigation", name="Main").get_by_role("link", name=group).click()
    section = page.get_by_role("navigation", name=group)
    link = section.get_by_role("link", name=name, exact=True)
    if link.get_attribute("aria-current") == "page":
        return 1
    link.click()
    expect(section.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")
    return 2
