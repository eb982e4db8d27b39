"""A service's `with db.conn:` block is one transaction, whatever the store methods inside it do."""

import pytest

from totalaudio.store.contacts import ContactStore
from totalaudio.store.db import open_db, transaction
from totalaudio.store.runs import Journal
from totalaudio.store.syncstate import SyncState


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "t.db")


def counts(db):
    return [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("contacts", "journal", "sync_state")]


def test_a_failing_block_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError):
        with db.conn:
            ContactStore(db).insert_many([{"email": "a@b.co"}])  # own transaction() block, nested
            Journal(db).record(None, "contact", "1", "create")  # sqlite-utils insert (a savepoint)
            SyncState(db).set("k", 1)  # sqlite-utils upsert
            raise RuntimeError("crash between writes")
    assert counts(db) == [0, 0, 0] and not db.conn.in_transaction


def test_nested_blocks_commit_once_at_the_outermost(tmp_path, db):
    with transaction(db):
        ContactStore(db).insert_many([{"email": "a@b.co"}])
        with transaction(db):
            Journal(db).record(None, "contact", "1", "create")
        assert db.conn.in_transaction  # the inner block did not commit
    assert counts(open_db(tmp_path / "t.db")) == [1, 1, 0]
