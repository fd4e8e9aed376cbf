"""The tenant scope itself (T1): filters every ORM statement, fails closed, refuses cross-tenant writes."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.partners.models import Partner
from app.tenancy import TenantScopeError, tenant_scope, unscoped
from tests.conftest import owner_view


@pytest.fixture
def two_tenants(make):
    first, second = make.tenant("first"), make.tenant("second")
    make.partner(first, "First One")
    make.partner(first, "First Two")
    make.partner(second, "Second One")
    return first, second


def test_queries_see_only_the_current_tenant(app, two_tenants):
    first, second = two_tenants
    with tenant_scope(first.id):
        assert sorted(db.session.scalars(select(Partner.name))) == ["First One", "First Two"]
        assert db.session.scalar(select(func.count()).select_from(Partner)) == 2
        # Joins and subqueries are filtered too, not only the top-level entity.
        sub = select(Partner.id).where(Partner.name.like("Second%")).scalar_subquery()
        assert db.session.scalars(select(Partner).where(Partner.id.in_(sub))).all() == []
    with tenant_scope(second.id):
        assert db.session.scalars(select(Partner.name)).all() == ["Second One"]


def test_no_tenant_fails_closed(app, two_tenants):
    with pytest.raises(TenantScopeError):
        db.session.scalars(select(Partner)).all()
    db.session.rollback()


def test_bulk_update_and_delete_stay_inside_the_tenant(app, two_tenants):
    first, second = two_tenants
    with tenant_scope(first.id):
        db.session.execute(update(Partner).values(notes="touched"))
        db.session.execute(delete(Partner).where(Partner.name == "Second One"))
        db.session.commit()
    with tenant_scope(second.id):
        survivor = db.session.scalar(select(Partner))
        assert survivor.name == "Second One" and survivor.notes == ""


def test_new_rows_are_stamped_and_foreign_rows_refused(app, two_tenants):
    first, second = two_tenants
    with tenant_scope(first.id):
        partner = Partner(id=uuid.uuid4(), name="Stamped")
        db.session.add(partner)
        db.session.flush()
        assert partner.tenant_id == first.id
        db.session.add(Partner(id=uuid.uuid4(), tenant_id=second.id, name="Smuggled"))
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()
    with owner_view() as owner:
        assert owner.scalar(select(func.count()).where(Partner.name.in_(["Stamped", "Smuggled"]))) == 0


def test_writing_without_a_tenant_is_refused(app, two_tenants):
    db.session.add(Partner(id=uuid.uuid4(), name="Orphan"))
    with pytest.raises(TenantScopeError):
        db.session.flush()
    db.session.rollback()


def test_changing_another_tenants_row_loaded_elsewhere_is_refused(app, two_tenants):
    first, second = two_tenants
    with tenant_scope(second.id):
        foreign = db.session.scalar(select(Partner))
    with tenant_scope(first.id):
        foreign.name = "Renamed across tenants"
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()


def test_composite_foreign_keys_stop_a_row_pointing_into_another_tenant(app, two_tenants):
    from sqlalchemy.exc import IntegrityError

    from app.auth.models import Membership, User
    first, second = two_tenants
    with tenant_scope(second.id):
        foreign_partner = db.session.scalar(select(Partner))
    with tenant_scope(first.id):
        user = db.session.scalar(select(User).where(User.email == "admin@first.example"))
        other = User(id=uuid.uuid4(), email="x@first.example")
        db.session.add(other)
        db.session.add(Membership(id=uuid.uuid4(), user_id=other.id, role="partner_user",
                                  partner_id=foreign_partner.id))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    assert user is not None


def test_unscoped_needs_a_reason_and_sees_everything(app, two_tenants):
    with pytest.raises(ValueError):
        with unscoped(""):
            pass
    with owner_view() as owner:
        assert owner.scalar(select(func.count()).select_from(Partner)) == 3
