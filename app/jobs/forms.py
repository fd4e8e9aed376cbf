"""Job forms: cancel and retry carry only the CSRF token."""
from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """Only the CSRF token."""
