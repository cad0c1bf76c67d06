"""The base of every API schema: every string it loads has a length limit and every integer fits an id
column and every date lies in the years a record can carry, so an over-long note or a 30-digit id is a 400 naming the field (issue 13 item 10), set once here."""
from marshmallow import Schema as _Schema
from marshmallow import fields, validate

from app.input_edges import DATE_MAX, DATE_MIN, DATE_RANGE_MESSAGE, INT64_MAX, TEXT_MAX


def computed(field: fields.Field, function, description: str | None = None) -> fields.Field:
    """An output field whose value `function(obj)` gives, keeping the field's type for the document (where
    fields.Function would leave it untyped)."""
    field.get_value = lambda obj, attr, accessor=None, default=None: function(obj)
    if description:
        field.metadata = {**field.metadata, "description": description}
    return field


class Schema(_Schema):
    def on_bind_field(self, field_name: str, field_obj) -> None:
        super().on_bind_field(field_name, field_obj)
        if isinstance(field_obj, fields.String) and not any(isinstance(v, validate.Length) and v.max
                                                            for v in field_obj.validators):
            field_obj.validators = [*field_obj.validators, validate.Length(max=TEXT_MAX)]
        if isinstance(field_obj, fields.Integer):
            field_obj.validators = [*field_obj.validators, validate.Range(min=-INT64_MAX - 1, max=INT64_MAX)]
        if isinstance(field_obj, fields.Date):
            field_obj.validators = [*field_obj.validators,
                                    validate.Range(min=DATE_MIN, max=DATE_MAX, error=DATE_RANGE_MESSAGE)]
