"""backoffice.db.prepared_cursor: one prepared psycopg cursor per connection, reused from call to call."""

import pytest
from django.db import DatabaseError, connection, transaction

from backoffice.db import PreparedCursor, prepared_cursor

pytestmark = pytest.mark.django_db


def test_the_connections_cursor_is_reused_and_a_nested_call_gets_its_own():
    with prepared_cursor() as first:
        first.execute("SELECT %s::int", [1])
        assert first.fetchone() == (1,)
        with prepared_cursor() as nested:
            assert nested.cursor is not first.cursor
            nested.execute("SELECT %s::int", [2])
            assert nested.fetchone() == (2,)
        assert first.fetchone() is None  # its own result set untouched by the nested call
    with prepared_cursor() as again:
        assert again.cursor is first.cursor and isinstance(again.cursor, PreparedCursor)
        again.execute("SELECT %s::int", [3])
        assert again.fetchone() == (3,)
    assert nested.cursor.closed  # the nested one is an ordinary cursor: closed on exit
    assert not first.cursor.closed


@pytest.mark.django_db(transaction=True)  # connection.close() really closes outside a test transaction
def test_an_error_leaves_the_cursor_usable_and_a_new_connection_gets_a_new_cursor():
    with pytest.raises(DatabaseError), transaction.atomic(), prepared_cursor() as cur:
        cur.execute("SELECT 1 / %s::int", [0])
    with prepared_cursor() as cur2:
        assert cur2.cursor is cur.cursor
        cur2.execute("SELECT %s::int", [4])
        assert cur2.fetchone() == (4,)
    old = cur2.cursor
    connection.close()
    with prepared_cursor() as cur3:
        assert cur3.cursor is not old
        cur3.execute("SELECT %s::int", [5])
        assert cur3.fetchone() == (5,)
