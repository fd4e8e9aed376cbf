"""tiers.work.closable_quarters reads only the quarters after each partner's latest close (issue 15):
on generated data it finds the same quarters as reading every accepted agreement of the book."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from app.admin import benchdata
from app.core.db import utcnow
from app.core.registry import Book
from app.extensions import db
from app.health.models import Agreement, Measurement
from app.health.periods import period_for
from app.partners.models import Partner
from app.tenancy import tenant_scope
from app.tiers import work
from app.tiers.models import QuarterClose


def _every_accepted_agreement(current: str):
    """The read before issue 15: every accepted agreement of the book with its measurement count."""
    return db.session.execute(
        select(Agreement.partner_id, Agreement.period, Partner.name, func.count(Measurement.id))
        .join(Partner, Partner.id == Agreement.partner_id)
        .outerjoin(Measurement, (Measurement.partner_id == Agreement.partner_id)
                   & (Measurement.period == Agreement.period))
        .where(Agreement.status == "accepted", Agreement.period < current)
        .group_by(Agreement.partner_id, Agreement.period, Partner.name)
        .order_by(Agreement.partner_id, Agreement.period)).all()


def test_narrowed_read_finds_the_same_closable_quarters(app):
    made = benchdata.generate(30, 300, 11, slug="bench-closable")
    db.session.commit()
    with tenant_scope(made.tenant_id):
        ids = made.partner_ids
        # Variety: some partners never closed, some with their latest closes undone (an earlier
        # quarter is next), some without measurements in the quarter they would close next.
        db.session.execute(delete(QuarterClose).where(QuarterClose.partner_id.in_(ids[:4])))
        for pid in ids[4:8]:
            latest = db.session.scalars(select(QuarterClose).where(QuarterClose.partner_id == pid)
                                        .order_by(QuarterClose.period.desc()).limit(2)).all()
            for close in latest:
                db.session.delete(close)
        db.session.flush()
        nothing_measured = ids[8:10]
        for pid in nothing_measured:
            last = db.session.scalar(select(func.max(QuarterClose.period)).where(QuarterClose.partner_id == pid))
            db.session.execute(delete(Measurement).where(Measurement.partner_id == pid, Measurement.period > last))
        db.session.commit()
        current = str(period_for(utcnow().date()))
        narrowed = work.closable_candidates(Book())
        reference = work.closable_candidates(Book(), accepted=_every_accepted_agreement(current))
        assert narrowed == reference
        assert len(narrowed) >= 20  # most partners have a quarter to close
        assert set(ids[:8]) <= set(narrowed)  # the never-closed and the undone ones too
        assert not set(nothing_measured) & set(narrowed)
        # A manager's book narrows both reads alike.
        manager = db.session.scalar(select(Partner.channel_manager_id).where(Partner.channel_manager_id.is_not(None)))
        book = Book(manager_id=manager)
        from app.partners.policies import in_book
        mine = set(db.session.scalars(in_book(select(Partner.id), book)))
        assert set(work.closable_candidates(book)) == set(reference) & mine
