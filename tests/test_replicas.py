"""Read replicas: every read-only command against a real streaming standby, the refusal of the
writing commands, replication status and health, and index verdicts that count the replicas."""

from __future__ import annotations

import psycopg
import pytest


def test_standby_is_in_recovery(standby_db: str) -> None:
    with psycopg.connect(standby_db) as conn:
        row = conn.execute("SELECT pg_is_in_recovery(), count(*) FROM pg_tables WHERE tablename = 'users'").fetchone()
    assert row == (True, 1)
