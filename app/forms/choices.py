"""Choices for select, radio and checkbox fields, in the shape WTForms 3.3 wants (tuples are deprecated)."""
from wtforms.fields.choices import SelectChoice


def options(pairs) -> list[SelectChoice]:
    """[(value, label), ...] as choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def choose(prompt: str, pairs) -> list[SelectChoice]:
    """The same, after an empty first option that asks the person to choose."""
    return options([("", prompt), *pairs])


def record_id(value) -> int | None:
    """A select's chosen record id; None for the empty option or anything that is not an id a database holds (a
    tampered form), so the service names the field rather than the form failing to read it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None
