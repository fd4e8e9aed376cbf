"""Forms of the health pages: CSRF and the few fixed fields (metric rows are read from the post)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class ProposeForm(FlaskForm):
    period = StringField("Quarter", description="YYYY-Qn, e.g. 2026-Q3")
    note = TextAreaField("Note to the other side", validators=[Optional(), Length(max=2000)])


class AcceptForm(FlaskForm):
    version = HiddenField()


class MeasurementForm(FlaskForm):
    source = StringField("Source", description="Where the numbers come from, e.g. 'CRM export' or 'survey'",
                         validators=[Optional(), Length(max=120)])


class CsvForm(FlaskForm):
    file = FileField("CSV file", description="Columns key,value and optionally source")


class MetricForm(FlaskForm):
    key = StringField("Key", description="lower-case, e.g. csat")
    name = StringField("Name")
    direction = SelectField("Better when", choices=[("higher", "higher"), ("lower", "lower")])
    unit = StringField("Unit", validators=[Optional()])
    target = StringField("Default target")
    floor = StringField("Default floor")
    weight = StringField("Default weight")
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
