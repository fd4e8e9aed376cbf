"""The workspace's name and programme settings, audited."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from app.audit.services import record
from app.auth.context import current_actor
from app.auth.policies import can_manage_programme, require
from app.extensions import db
from app.settings import bp
from app.tenants.models import Tenant


class SettingsForm(FlaskForm):
    name = StringField("Workspace name", validators=[DataRequired(), Length(max=200)])
    version = HiddenField()


@bp.route("/", methods=["GET", "POST"])
def index():
    actor = current_actor()
    require(can_manage_programme(actor))
    tenant = actor.tenant
    form = SettingsForm()
    if form.validate_on_submit():
        if str(tenant.version) != (form.version.data or ""):
            return _conflict(form, tenant, mine=form.name.data.strip())
        if form.name.data.strip() != tenant.name:
            before = tenant.name
            tenant.name = form.name.data.strip()
            try:
                record("settings.update", object_type="tenant", object_id=tenant.id,
                       before={"name": before}, after={"name": tenant.name}, summary="Workspace renamed")
            except StaleDataError:  # another save landed between our read and our write
                mine = tenant.name
                db.session.rollback()
                return _conflict(form, db.session.get(Tenant, tenant.id), mine=mine)
        flash("Settings saved.", "success")
        return redirect(url_for("settings.index"))
    if not form.is_submitted():
        form.name.data, form.version.data = tenant.name, str(tenant.version)
    return render_template("settings/index.html", form=form, tenant=tenant), (422 if form.errors else 200)


def _conflict(form: SettingsForm, tenant, mine: str):
    """409 with both versions: what is saved now fills the form, the refused edit is quoted."""
    form.name.errors.append(f"Someone else saved the settings first. Saved now: “{tenant.name}”; "
                            f"your edit, not saved: “{mine}”. Apply your change again if you still want it.")
    form.name.data, form.version.data = tenant.name, str(tenant.version)
    return render_template("settings/index.html", form=form, tenant=tenant), 409
