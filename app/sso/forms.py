"""SSO settings and the workspace prompt."""
from urllib.parse import urlparse

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class WorkspaceForm(FlaskForm):
    workspace = StringField("Workspace", validators=[DataRequired(), Length(max=64)],
                            description="The short name of your vendor's workspace, e.g. northwind")


class SsoSettingsForm(FlaskForm):
    issuer = StringField("Issuer URL", validators=[DataRequired(), Length(max=300)],
                         description="e.g. https://login.example.com/realms/partners")
    client_id = StringField("Client ID", validators=[DataRequired(), Length(max=200)])
    client_secret = PasswordField("Client secret", validators=[Optional(), Length(max=300)],
                                  description="Leave empty to keep the stored secret.")
    allowed_domains = StringField("Allowed e-mail domains", validators=[Length(max=500)],
                                  description="Comma-separated; empty allows every member's address")
    enabled = BooleanField("Offer single sign-on", default=True)
    version = HiddenField()

    def validate_issuer(self, field):
        url = urlparse(field.data.strip())
        # Plain http only for a provider on this machine (development and tests).
        if url.scheme != "https" and not (url.scheme == "http" and url.hostname in LOCAL_HOSTS):
            raise ValidationError("Use an https:// issuer URL.")
        if not url.hostname:
            raise ValidationError("That is not a URL.")

    def domains(self) -> list[str]:
        return sorted({d.strip().lower().lstrip("@") for d in (self.allowed_domains.data or "").split(",") if d.strip()})
