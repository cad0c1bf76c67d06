"""Jinja filters: instants shown in school-local time, dates the English way."""
from app.clock import to_local


def localdatetime(value) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%a %-d %b %Y, %H:%M")


def localdate(value) -> str:
    if value is None:
        return ""
    return value.strftime("%a %-d %b %Y")


def init_app(app) -> None:
    app.add_template_filter(localdatetime, "localdatetime")
    app.add_template_filter(localdate, "localdate")
