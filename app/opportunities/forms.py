"""The opportunity settings form: the stage list as rows, the registration SLA, the protection period
and its extension. The form checks the CSRF token and carries the text; the rules are the service's
(`services.update_settings` over `rules.clean_settings`), the same as the API's."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, SelectField, StringField

from app.opportunities import rules

OUTCOME_LABELS = {rules.OPEN: "Open", rules.WON: "Won (closes it)", rules.LOST: "Lost (closes it)"}


class StageRow(Form):
    """One stage; a row with neither key nor label is left out."""

    key = StringField("Key", render_kw={"maxlength": 32, "autocapitalize": "none", "spellcheck": "false"})
    label = StringField("Label", render_kw={"maxlength": 60})
    outcome = SelectField("Outcome", choices=list(OUTCOME_LABELS.items()), validate_choice=False)

    @property
    def blank(self) -> bool:
        return not (self.key.data or "").strip() and not (self.label.data or "").strip()


class OpportunitySettingsForm(FlaskForm):
    stages = FieldList(FormField(StageRow), label="Stages")
    sla_business_days = StringField("Registration decision due within (business days)",
                                    description=f"{rules.SLA_RANGE[0]} to {rules.SLA_RANGE[1]}",
                                    render_kw={"inputmode": "numeric"})
    protection_days = StringField("Protection of an approved registration (days)",
                                  description=f"{rules.PROTECTION_RANGE[0]} to {rules.PROTECTION_RANGE[1]}",
                                  render_kw={"inputmode": "numeric"})
    extension_days = StringField("The one extension of that protection (days)",
                                 description=f"{rules.EXTENSION_RANGE[0]} to {rules.EXTENSION_RANGE[1]}",
                                 render_kw={"inputmode": "numeric"})
    version = HiddenField()

    NUMBERS = ("sla_business_days", "protection_days", "extension_days")

    def fill(self, settings: rules.OpportunitySettings, version: int, blank_rows: int = 3) -> None:
        """The saved settings, with a few empty rows to add stages (at most MAX_STAGES rows)."""
        while len(self.stages):
            self.stages.pop_entry()
        for stage in settings.stages:
            self.stages.append_entry({"key": stage.key, "label": stage.label, "outcome": stage.outcome})
        for _ in range(max(0, min(blank_rows, rules.MAX_STAGES - len(settings.stages)))):
            self.stages.append_entry({"outcome": rules.OPEN})
        for name in self.NUMBERS:
            getattr(self, name).data = str(getattr(settings, name))
        self.version.data = str(version)

    def raw(self) -> tuple[dict, list[int]]:
        """What was sent, as the service reads it, and the form row of each stage sent (blank rows left out)."""
        rows = [i for i, entry in enumerate(self.stages) if not entry.form.blank]
        stages = [{"key": (self.stages[i].form.key.data or "").strip(), "label": (self.stages[i].form.label.data or "").strip(),
                   "outcome": self.stages[i].form.outcome.data} for i in rows]
        out: dict = {"stages": stages}
        for name in self.NUMBERS:
            text = (getattr(self, name).data or "").strip()
            out[name] = int(text) if text.isascii() and text.isdigit() else (text or None)
        return out, rows

    def show_errors(self, fields: dict[str, str], rows: list[int]) -> None:
        """The service's {field path: message} on the form's fields (stages.N.key -> the Nth sent row)."""
        for path, message in fields.items():
            parts = path.split(".")
            if parts[0] == "stages" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
                row = self.stages[rows[int(parts[1])]].form
                getattr(row, parts[2], row.key).errors = [message]
            elif parts[0] in self.NUMBERS:
                getattr(self, parts[0]).errors = [message]
            else:  # the list as a whole ("stages") or the body
                self.form_errors.append(message)
