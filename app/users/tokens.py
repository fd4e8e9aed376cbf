"""Personal API tokens: each person creates and revokes their own, in the current workspace."""
from __future__ import annotations

import uuid

from flask import abort, flash, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.audit.services import record
from app.auth.context import current_actor
from app.auth.models import ApiToken
from app.auth.services import create_api_token
from app.core.db import utcnow
from app.extensions import db
from app.users import bp
from app.users.forms import ConfirmForm


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)],
                       description="What the token is for, e.g. 'CRM sync'")


def _own_tokens(actor):
    return db.session.scalars(select(ApiToken).where(ApiToken.membership_id == actor.membership.id)
                              .order_by(ApiToken.created_at.desc())).all()


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    """List your tokens; create one (its value is shown once)."""
    actor = current_actor()
    form = TokenForm()
    new_token = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            new_token = create_api_token(actor.membership, form.name.data.strip())
            db.session.flush()
            record("api_token.create", object_type="api_token", object_id=actor.membership.id,
                   after={"name": form.name.data.strip()}, summary=f"API token '{form.name.data.strip()}' created")
            form = TokenForm(formdata=None)
        else:
            status = 422
    return render_template("users/tokens.html", form=form, tokens=_own_tokens(actor), new_token=new_token,
                           confirm=ConfirmForm()), status


@bp.post("/tokens/<uuid:token_id>/revoke")
def revoke_token(token_id: uuid.UUID):
    actor = current_actor()
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id,
                                                     ApiToken.membership_id == actor.membership.id))
    if token is None:
        abort(404)  # someone else's token is not yours to know about
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoke", object_type="api_token", object_id=token.id,
               summary=f"API token '{token.name}' revoked")
    flash("Token revoked; it stops working at once.", "success")
    return render_template("users/tokens.html", form=TokenForm(formdata=None), tokens=_own_tokens(actor),
                           new_token=None, confirm=ConfirmForm())
