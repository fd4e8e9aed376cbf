"""Invite and role forms."""
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField("Name", validators=[Length(max=200)])
    role = SelectField("Role", choices=[])
    partner_id = SelectField("Partner", choices=[])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[])
    version = HiddenField(validators=[DataRequired()])  # the membership's version when the page was read


class ConfirmForm(FlaskForm):
    """An empty form: the CSRF token is the point."""
