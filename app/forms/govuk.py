"""A WTForms field as the parameters of the GOV.UK Frontend component that shows it (govuk-frontend-jinja's
macros take the same parameters as the Design System's Nunjucks ones). `_form_errors.html` `field()` calls it,
so every form gets GOV.UK radios, checkboxes, date inputs (day, month and year boxes) and error messages."""
from __future__ import annotations

import re

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FileField,
    IntegerField,
    MultipleFileField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    TimeField,
)

# "For example 04/05/2026." hints were written for a single box; a date input's hint is day month year.
_SLASHED_EXAMPLE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _hint(text):
    return {"text": text} if text else None


def _error(field):
    return {"text": " ".join(str(e) for e in field.errors)} if field.errors else None


def _attributes(field) -> dict:
    # render_kw carries e.g. autocomplete and inputmode; class is the component's to set. aria-invalid tells a
    # screen reader the box holds a mistake (the component already links its error message).
    attributes = {key: value for key, value in (field.render_kw or {}).items() if key != "class"}
    if field.errors:
        attributes["aria-invalid"] = "true"
    return attributes


def _choice_items(field, checked, exclude=()) -> list[dict]:
    items = []
    for value, label, selected, render_kw in field.iter_choices():
        if value in exclude:
            continue
        item = {"value": value, "text": str(label), checked: bool(selected)}
        if render_kw:
            item["attributes"] = dict(render_kw)
        items.append(item)
    return items


def date_hint(text: str | None) -> str | None:
    if not text:
        return "For example, 27 3 2026"
    return _SLASHED_EXAMPLE.sub(lambda m: f"{int(m[1])} {int(m[2])} {m[3]}", text)


def _date_parts(field) -> tuple[str, str, str]:
    parts = getattr(field, "parts", None)
    if parts:
        return parts
    if field.data:
        return str(field.data.day), str(field.data.month), str(field.data.year)
    return "", "", ""


def _legend(label: dict, label_classes) -> dict:
    return {"legend": {"text": label["text"], "classes": label_classes or "govuk-fieldset__legend--s"}}


def _date_input(field, base, hint, label, label_classes) -> dict:
    day, month, year = _date_parts(field)
    error_class = " govuk-input--error" if field.errors else ""
    return {
        **base,
        "hint": _hint(date_hint(hint)),
        "id": field.id,
        "namePrefix": field.name,
        "fieldset": _legend(label, label_classes),
        "items": [
            {"name": "day", "label": "Day", "classes": "govuk-input--width-2" + error_class, "value": day,
             "attributes": _attributes(field)},
            {"name": "month", "label": "Month", "classes": "govuk-input--width-2" + error_class, "value": month,
             "attributes": _attributes(field)},
            {"name": "year", "label": "Year", "classes": "govuk-input--width-4" + error_class, "value": year,
             "attributes": _attributes(field)},
        ],
    }


def _choices(field, base, label, label_classes, classes, exclude) -> tuple[str, dict] | None:
    """Radios, checkboxes (several, or one for a yes/no) or a select; None for a field without choices."""
    if isinstance(field, (RadioField, SelectMultipleField)):
        return "radios" if isinstance(field, RadioField) else "checkboxes", {
            **base,
            "idPrefix": field.id,
            "name": field.name,
            "classes": classes,
            "fieldset": _legend(label, label_classes),
            "items": _choice_items(field, "checked", exclude),
        }
    if isinstance(field, BooleanField):
        # One checkbox, no fieldset: its label is the question. Its id stays the field's, so the error summary's
        # link and any <label for> still reach it.
        return "checkboxes", {
            **base,
            "idPrefix": field.id,
            "name": field.name,
            "classes": classes or "govuk-checkboxes--small",
            "items": [{"value": "y", "text": label["text"], "checked": bool(field.data),
                       "attributes": _attributes(field)}],
        }
    if isinstance(field, SelectField):
        return "select", {
            **base, "id": field.id, "name": field.name, "label": label, "classes": classes,
            "items": _choice_items(field, "selected", exclude), "attributes": _attributes(field),
        }
    return None


def _input(field, base, label, classes) -> dict:
    kind, width = "text", classes
    if isinstance(field, EmailField):
        kind = "email"
    elif isinstance(field, PasswordField):
        kind = "password"
    elif isinstance(field, TimeField):
        kind, width = "time", classes or "govuk-input--width-5"
    elif isinstance(field, (IntegerField, DecimalField)):
        width = classes or "govuk-input--width-5"
    params = {
        **base, "id": field.id, "name": field.name, "label": label, "type": kind, "classes": width,
        "value": "" if kind == "password" else field._value(), "attributes": _attributes(field),
    }
    if isinstance(field, IntegerField):
        params["inputmode"] = "numeric"
    if isinstance(field, DecimalField):
        params["inputmode"] = "decimal"
    return params


def component(field, hint=None, legend=None, label_classes=None, classes=None, exclude=()) -> tuple[str, dict]:
    """(component name, its parameters) for `field`: "input", "select", "radios", "checkboxes", "date-input",
    "textarea", "file-upload" or "hidden". Choices whose value is in `exclude` are left out."""
    label = {"text": str(legend or field.label.text)}
    if label_classes:
        label["classes"] = label_classes
    base = {"hint": _hint(hint), "errorMessage": _error(field)}
    if field.type in ("HiddenField", "CSRFTokenField"):
        return "hidden", {}
    if isinstance(field, DateField) and not isinstance(field, TimeField):
        return "date-input", _date_input(field, base, hint, label, label_classes)
    chosen = _choices(field, base, label, label_classes, classes, exclude)
    if chosen is not None:
        return chosen
    if isinstance(field, TextAreaField):
        return "textarea", {
            **base, "id": field.id, "name": field.name, "label": label, "classes": classes,
            "value": field._value(), "rows": (field.render_kw or {}).get("rows", 4), "attributes": _attributes(field),
        }
    if isinstance(field, (FileField, MultipleFileField)):
        attributes = _attributes(field)
        if isinstance(field, MultipleFileField):
            attributes["multiple"] = "multiple"
        return "file-upload", {
            **base, "id": field.id, "name": field.name, "label": label, "classes": classes, "attributes": attributes,
        }
    return "input", _input(field, base, label, classes)


def init_app(app) -> None:
    app.add_template_global(component, "govuk_component")
