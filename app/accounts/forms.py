"""Account forms: CSV upload and segment settings (the CSRF-only form is app.core.forms)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from app.accounts.ownership import OWNER_MODEL_LABELS


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")],
                     description="Columns name and domain; optional employees, industry, region, arr, "
                                 "renewal_date (YYYY-MM-DD), stage. UTF-8 or Latin-1; comma, semicolon or tab.")


class SegmentSettingsForm(FlaskForm):
    mid_market_from = IntegerField("Mid-market from (employees)", validators=[InputRequired(), NumberRange(min=0)])
    enterprise_from = IntegerField("Enterprise from (employees)", validators=[InputRequired(), NumberRange(min=0)])
    smb_model = SelectField("SMB owner model", choices=list(OWNER_MODEL_LABELS.items()))
    mid_market_model = SelectField("Mid-market owner model", choices=list(OWNER_MODEL_LABELS.items()))
    enterprise_model = SelectField("Enterprise owner model", choices=list(OWNER_MODEL_LABELS.items()))
    version = HiddenField()

    def validate_enterprise_from(self, field):
        if self.mid_market_from.data is not None and field.data is not None and field.data < self.mid_market_from.data:
            from wtforms.validators import ValidationError
            raise ValidationError("Must be at least the mid-market threshold.")
