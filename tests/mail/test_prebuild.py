"""Building messages one step ahead on a thread: the same emails, the same failures."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect

from engage.extensions import db
from engage.mail import delivery
from engage.mail.models import OutboxMessage
from engage.mail.prebuild import Prebuilder
from engage.mail.worker import Worker
from tests.mail.conftest import add_messages


def test_the_builder_gets_detached_rows_with_every_column_loaded(mail_app):
    # What makes reading them on another thread safe: no session to expire
    # them or load a missing column (a new relationship or deferred column fails here).
    with mail_app.app_context():
        add_messages(3)
        ids = list(db.session.scalars(db.select(OutboxMessage.id)))
        rows = Worker()._load(ids)
        assert len(rows) == 3
        for row in rows.values():
            state = inspect(row)
            assert state.detached
            assert not state.unloaded


def test_each_row_is_built_off_the_callers_thread_with_its_own_outcome(mail_app, monkeypatch):
    threads = set()
    build = delivery.build_message

    def recording(row):
        threads.add(threading.get_ident())
        return build(row)

    monkeypatch.setattr(delivery, "build_message", recording)
    with mail_app.app_context():
        add_messages(1)
        add_messages(1, to_address="not an address")
        add_messages(1)
        rows = list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        builder = Prebuilder([rows[0], rows[1], None, rows[2]])
        try:
            assert builder.message(0).recipient == "person0@example.org"
            with pytest.raises(delivery.UnsendableMessage):
                builder.message(1)
            assert builder.message(2) is None
            assert b"Text 0" in builder.message(3).content
        finally:
            builder.close()
    assert threads and threading.get_ident() not in threads
