"""The CSRF-only form, for views that read and validate their other fields themselves."""
from flask import abort
from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """Only the CSRF token; the view reads and validates the other fields itself."""


def require_csrf() -> None:
    """Refuse (400) a form post without a valid CSRF token."""
    if not CsrfForm().validate_on_submit():
        abort(400)
