"""Jinja: GOV.UK Frontend's component macros, the service navigation, and filters that show instants in
school-local time and dates the English way."""
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from app import clock, navigation
from app.clock import to_local
from app.forms import govuk


def localdatetime(value) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%a %-d %b %Y, %H:%M")


def localdate(value) -> str:
    if value is None:
        return ""
    return value.strftime("%a %-d %b %Y")


def init_app(app) -> None:
    # {% from "govuk_frontend_jinja/components/<name>/macro.html" import govuk... %} in any template; the app's
    # own templates (and its blueprints') come first, as before.
    app.jinja_loader = ChoiceLoader([
        app.jinja_loader,
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    app.add_template_filter(localdatetime, "localdatetime")
    app.add_template_filter(localdate, "localdate")
    app.add_template_global(clock.today, "school_today")
    govuk.init_app(app)
    navigation.init_app(app)
