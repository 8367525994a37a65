"""Forms of the conversation pages. They only parse input: the rules (length,
empty message, file types, sizes and counts) live in services.messages and
services.attachments, whose translated errors the view shows."""
from __future__ import annotations

from flask_appbuilder.forms import DynamicForm
from flask_babel import lazy_gettext as _l
from wtforms import Form, MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

ACCEPT = ".pdf,.jpg,.jpeg,.png"
REASON_MAX = 500


class MessageForm(DynamicForm):
    body = TextAreaField(_l("Message"), render_kw={"rows": 5})
    files = MultipleFileField(_l("Attach files"), render_kw={"accept": ACCEPT},
                              description=_l("PDF, JPEG or PNG."))


class StaffReasonForm(Form):
    """Asked of staff before they read a conversation (sent with GET: the
    reading itself changes nothing but the audit trail)."""

    reason = StringField(
        _l("Reason for reading"),
        validators=[DataRequired(message=_l("Give the reason for reading this conversation.")),
                    Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX))],
    )
