"""The base of every API schema: every string it loads has a length limit and every integer fits an id
column, so an over-long note or a 30-digit id is a 400 naming the field (issue 13 item 10), set once here."""
from marshmallow import Schema as _Schema
from marshmallow import fields, validate

from app.input_edges import INT64_MAX, TEXT_MAX


class Schema(_Schema):
    def on_bind_field(self, field_name: str, field_obj) -> None:
        super().on_bind_field(field_name, field_obj)
        if isinstance(field_obj, fields.String) and not any(isinstance(v, validate.Length) and v.max
                                                            for v in field_obj.validators):
            field_obj.validators = [*field_obj.validators, validate.Length(max=TEXT_MAX)]
        if isinstance(field_obj, fields.Integer):
            field_obj.validators = [*field_obj.validators, validate.Range(max=INT64_MAX)]
