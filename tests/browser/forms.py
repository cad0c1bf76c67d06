"""Filling GOV.UK form components in a browser test the way a person does."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    """A GOV.UK date input: the fieldset named `legend`, its day, month and year boxes."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
