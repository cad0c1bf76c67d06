"""The reason a record is archived (issue 14 item 8); the service checks it."""
from __future__ import annotations

from wtforms import TextAreaField

from app.forms.base import ServiceForm


class ArchiveReasonForm(ServiceForm):
    reason = TextAreaField("Why is this record archived?")
