"""Reading the part-time timetable forms (issue 15). The pages post plain GOV.UK form fields (CSRF checked by the
app's CSRFProtect); these turn them into the service's inputs, with the problems of the text typed by field."""
from __future__ import annotations

import datetime as dt

from app.services.part_time_timetables import ProposalInput, ReviewInput, SessionInput

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
SESSIONS = (("am", "Morning"), ("pm", "Afternoon"))


def parse_date(text: str | None, field: str, errors: dict[str, str]) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = "Enter a real date, for example 2026-03-16."
        return None


def parse_int(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


def proposal_from(form) -> tuple[ProposalInput, dict[str, str]]:
    errors: dict[str, str] = {}
    sessions = []
    for weekday in range(5):
        for session, _label in SESSIONS:
            arrangement = form.get(f"s-{weekday}-{session}") or None
            placement = parse_int(form.get(f"p-{weekday}-{session}")) if arrangement == "at_provider" else None
            sessions.append(SessionInput(weekday, session, arrangement, placement))
    reviews_text = (form.get("review_dates") or "").strip()
    review_dates = None
    if reviews_text:
        review_dates = []
        for part in reviews_text.replace(",", " ").split():
            day = parse_date(part, "review_dates", errors)
            if day:
                review_dates.append(day)
    data = ProposalInput(
        pupil_id=parse_int(form.get("pupil_id")), reason_category=form.get("reason_category") or None,
        reason_details=form.get("reason_details"), support_plan=form.get("support_plan"),
        start_date=parse_date(form.get("start_date"), "start_date", errors),
        end_date=parse_date(form.get("end_date"), "end_date", errors), sessions=sessions, review_dates=review_dates,
        welfare_contact_id=parse_int(form.get("welfare_contact_id")))
    return data, errors


def review_from(form) -> tuple[ReviewInput, dict[str, str]]:
    errors: dict[str, str] = {}
    data = ReviewInput(held_on=parse_date(form.get("held_on"), "held_on", errors),
                       pupil_views=form.get("pupil_views"), parent_views=form.get("parent_views"),
                       decision=form.get("decision") or None, changes=form.get("changes"),
                       extended_to=parse_date(form.get("extended_to"), "extended_to", errors),
                       extension_reasons=form.get("extension_reasons"))
    return data, errors
