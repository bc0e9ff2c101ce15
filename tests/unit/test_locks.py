"""The advisory lock registry: distinct keys, names for lock-info, every schedule covered."""

from __future__ import annotations

from musicdb import locks
from musicdb.ops.maintain import SCHEDULES


def test_fixed_locks_have_distinct_keys_below_user_oids() -> None:
    keys = [lock.key for lock in locks.FIXED]
    assert len(set(keys)) == len(keys)
    assert all(0 < key < locks.FIRST_OBJECT_OID for key in keys)
    assert all(lock.namespace == locks.NAMESPACE for lock in locks.FIXED)
    assert -(2**31) <= locks.NAMESPACE < 2**31


def test_every_schedule_has_a_job_lock() -> None:
    assert {locks.maintain_job(s).name for s in SCHEDULES} == {f"maintain {s}" for s in SCHEDULES}


def test_describe_names_ours_and_leaves_the_rest() -> None:
    ns = locks.NAMESPACE
    assert locks.describe(ns, locks.MIGRATION.key, 2) == "musicdb migration lock"
    assert locks.describe(ns, 20001, 2, "public.mv") == "musicdb refresh-view public.mv lock"
    assert locks.describe(ns, 20001, 2) == "musicdb refresh-view of oid 20001 lock"
    assert locks.describe(ns, locks.MIGRATION.key, 1) is None  # the one-bigint form
    assert locks.describe(ns + 1, locks.MIGRATION.key, 2) is None  # another application's
