"""Choices for select, radio and checkbox fields, in the shape WTForms 3.3 wants (tuples are deprecated)."""
from wtforms.fields.choices import SelectChoice


def options(pairs) -> list[SelectChoice]:
    """[(value, label), ...] as choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def choose(prompt: str, pairs) -> list[SelectChoice]:
    """The same, after an empty first option that asks the person to choose."""
    return options([("", prompt), *pairs])

