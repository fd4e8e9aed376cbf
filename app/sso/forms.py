"""SSO connection settings and the sign-in prompt."""
from urllib.parse import urlparse

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.auth.roles import ROLE_LABELS

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class SignInForm(FlaskForm):
    workspace = StringField("Workspace", validators=[DataRequired(), Length(max=64)],
                            description="The short name of your vendor's workspace, e.g. northwind")
    email = EmailField("Work e-mail", validators=[DataRequired(), Email(), Length(max=254)],
                       description="Its domain finds your organisation's identity provider")


class ConnectionForm(FlaskForm):
    issuer = StringField("Issuer URL", validators=[DataRequired(), Length(max=300)],
                         description="e.g. https://login.example.com/realms/partners (its discovery document is read)")
    client_id = StringField("Client ID", validators=[DataRequired(), Length(max=200)])
    client_secret = PasswordField("Client secret", validators=[Optional(), Length(max=300)],
                                  description="Stored encrypted and never shown again; leave empty to keep it.")
    allowed_domains = StringField("E-mail domains", validators=[DataRequired(), Length(max=500)],
                                  description="Comma-separated; sign-in finds this connection by them")
    jit_enabled = BooleanField("Create an account on first sign-in")
    jit_role = SelectField("Role of a new account", validators=[Optional()])
    password_allowed = BooleanField("Password sign-in stays allowed for this organisation", default=True)
    enabled = BooleanField("Offer single sign-on", default=True)
    version = HiddenField()

    def __init__(self, role_choices: tuple[str, ...], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.jit_role.choices = [(r, ROLE_LABELS[r]) for r in role_choices]

    def validate_issuer(self, field):
        url = urlparse(field.data.strip())
        # Plain http only for a provider on this machine (development and tests).
        if url.scheme != "https" and not (url.scheme == "http" and url.hostname in LOCAL_HOSTS):
            raise ValidationError("Use an https:// issuer URL.")
        if not url.hostname:
            raise ValidationError("That is not a URL.")

    def validate_allowed_domains(self, field):
        for domain in self.domains():
            if "." not in domain or any(c in domain for c in " /:@\\") or len(domain) > 253:
                raise ValidationError(f"{domain!r} is not an e-mail domain.")

    def domains(self) -> list[str]:
        return sorted({d.strip().lower().lstrip("@").rstrip(".")
                       for d in (self.allowed_domains.data or "").split(",") if d.strip()})
