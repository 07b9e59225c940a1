"""Audit entries are written with the change they describe."""

from engage.audit.models import AuditEntry
from engage.audit.services import record
from engage.extensions import db


def test_entry_commits_with_the_change(app, make_user, make_event):
    admin = make_user("admin@example.org")
    event = make_event()
    with app.app_context():
        record("event.published", target=event, summary="Published", actor=admin)
        db.session.commit()
        [entry] = db.session.scalars(db.select(AuditEntry)).all()
        assert (entry.action, entry.target_type, entry.target_id) == (
            "event.published",
            "Event",
            event.id,
        )
        assert entry.actor_label == "admin@example.org"


def test_rolled_back_change_leaves_no_entry(app):
    with app.app_context():
        record("news.created", summary="x")
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0
