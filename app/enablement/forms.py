"""The course edit form. It checks the CSRF token and carries the text; the rules are the service's
(`services.update_course`), the same as the API's."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField


class CourseForm(FlaskForm):
    name = StringField("Name", render_kw={"maxlength": 200})
    description = TextAreaField("Description", description="What it covers and who it is for (optional).",
                                render_kw={"maxlength": 2000, "rows": 4})
    valid_months = StringField("Valid for (months)", render_kw={"inputmode": "numeric"},
                               description="Empty: completions never lapse. A change applies to completions "
                                           "recorded from now on; recorded ones keep their expiry.")
    retired = BooleanField("Retired: takes no new completions (the recorded ones stay)")
    version = HiddenField()

    FIELDS = ("name", "description", "valid_months")

    def fill(self, course) -> None:
        self.name.data, self.description.data = course.name, course.description or ""
        self.valid_months.data = str(course.valid_months) if course.valid_months else ""
        self.retired.data, self.version.data = not course.active, str(course.version)

    def raw(self) -> dict:
        return {"name": self.name.data or "", "description": self.description.data or "",
                "valid_months": (self.valid_months.data or "").strip(), "retired": bool(self.retired.data)}

    def show_errors(self, fields: dict[str, str]) -> None:
        for name, message in fields.items():
            field = getattr(self, name, None) if name in (*self.FIELDS, "retired") else None
            if field is not None:
                field.errors = [message]
            else:
                self.form_errors.append(message)
