"""Every advisory lock musicdb takes, by name: the one registry.

All of them use PostgreSQL's two-key form ``pg_advisory_lock(int4, int4)``: the first key is
:data:`NAMESPACE` (musicdb's, so another application's advisory locks never collide with ours),
the second says which lock. ``pg_locks`` shows them as ``locktype = 'advisory'`` with
``classid = NAMESPACE``, ``objid = key`` and ``objsubid = 2``; ``musicdb lock-info`` names them
with :func:`describe`.

Fixed locks have small keys (below 16384); a lock on one database object (a materialized view's
refresh) uses the object's oid, which for user objects is never below 16384, so the two never
meet.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The first key of every musicdb advisory lock: ``'musi'`` as a signed 32-bit integer.
NAMESPACE = 0x6D757369
#: Oids below this are the system's own (FirstNormalObjectId): fixed keys stay under it.
FIRST_OBJECT_OID = 16384


@dataclass(frozen=True)
class AdvisoryLock:
    """One musicdb advisory lock: its name (as lock-info shows it) and its second key."""

    name: str
    key: int
    namespace: int = NAMESPACE

    @property
    def label(self) -> str:
        return f"musicdb {self.name} lock"

    @property
    def keys(self) -> tuple[int, int]:
        """The two int4 keys, in the order ``pg_advisory_lock`` takes them."""
        return (self.namespace, self.key)


#: Schema changes: migrate up/down, contract, adopt, and Flask-Migrate's ``flask db upgrade``.
MIGRATION = AdvisoryLock("migration", 1)
#: ``musicdb generate``: one data generation at a time.
GENERATE = AdvisoryLock("generate", 2)
#: ``musicdb partitions premake|split|retire|restore``: one partition upkeep at a time.
PARTITIONS = AdvisoryLock("partitions", 3)
#: ``musicdb maintain SCHEDULE``: one job per schedule at a time (cron overlap is skipped).
MAINTAIN = {
    "daily": AdvisoryLock("maintain daily", 11),
    "weekly": AdvisoryLock("maintain weekly", 12),
    "monthly": AdvisoryLock("maintain monthly", 13),
}
FIXED: tuple[AdvisoryLock, ...] = (MIGRATION, GENERATE, PARTITIONS, *MAINTAIN.values())


def maintain_job(schedule: str) -> AdvisoryLock:
    """The job lock of the maintain *schedule* (KeyError for a schedule without one)."""
    return MAINTAIN[schedule]


def refresh_view(oid: int, qualified: str = "") -> AdvisoryLock:
    """The lock held while one materialized view (by *oid*) is refreshed."""
    name = f"refresh-view {qualified}".strip() if qualified else f"refresh-view of oid {oid}"
    return AdvisoryLock(name, int(oid))


def describe(classid: int, objid: int, objsubid: int, relation: str | None = None) -> str | None:
    """The name of the musicdb lock ``pg_locks`` shows as (classid, objid, objsubid), else None.

    *relation*: the qualified name of the relation whose oid is *objid*, when the caller looked
    it up (a per-view lock is then named after its view).
    """
    if objsubid != 2 or classid != NAMESPACE:
        return None
    for lock in FIXED:
        if lock.key == objid:
            return lock.label
    if objid >= FIRST_OBJECT_OID:
        return refresh_view(objid, relation or "").label
    return f"musicdb lock {objid} (unknown to this version)"
