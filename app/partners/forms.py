"""Partner create and edit form."""
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.partners.models import PARTNER_STATUSES, REGION_LABELS, SEGMENT_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PartnerForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    status = SelectField("Status", choices=[(s, s.capitalize()) for s in PARTNER_STATUSES])
    region = SelectField("Region", choices=[("", "—")] + list(REGION_LABELS.items()), validators=[Optional()])
    segments = MultiCheckboxField("Segments served", choices=list(SEGMENT_LABELS.items()))
    certifications = StringField("Certifications", description="Comma-separated, e.g. Admin, Architect",
                                 validators=[Length(max=500)])
    services_revenue_share = DecimalField("Services revenue share (%)", places=2,
                                          validators=[Optional(), NumberRange(min=0, max=100)])
    website = StringField("Website", validators=[Optional(), Length(max=300), URL(message="Enter a full URL, e.g. https://example.com")])
    channel_manager_id = SelectField("Channel manager", choices=[], validate_choice=True)
    notes = TextAreaField("Notes", validators=[Length(max=5000)])
    version = HiddenField()

    def cleaned(self) -> dict:
        """Form data in model terms."""
        import uuid
        certs = [c.strip() for c in (self.certifications.data or "").split(",") if c.strip()]
        manager = self.channel_manager_id.data
        return {
            "name": self.name.data.strip(),
            "status": self.status.data,
            "region": self.region.data or None,
            "segments": list(self.segments.data or []),
            "certifications": certs,
            "services_revenue_share": self.services_revenue_share.data,
            "website": self.website.data or None,
            "channel_manager_id": uuid.UUID(manager) if manager else None,
            "notes": self.notes.data or "",
        }
