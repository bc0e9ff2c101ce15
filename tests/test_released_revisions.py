"""What every released revision executes is pinned: later library changes cannot alter history.

Several revisions call library code from inside ``upgrade``/``downgrade`` (the legacy steps plan
from the live catalog with :mod:`musicdb.adopt.conversion`, the compatible head and the contract
call :mod:`musicdb.migrate.compat`). Each scenario below runs the revisions on a real database
and records every statement each revision sends (text and parameters, whatever code built it);
the record must equal the snapshot checked in under ``tests/snapshots/revisions/``.

When a change is meant to alter what a *new* revision runs, regenerate the snapshots with
``MUSICDB_UPDATE_SNAPSHOTS=1`` (the test then fails once, naming the files it wrote) and review
the diff: a change in a released revision's statements means the library change alters history.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.runtime import migration as alembic_migration

from helpers import recorded_statements
from musicdb import adopt, migrate
from musicdb.config import DatabaseTarget
from musicdb.migrate import contract

SNAPSHOTS = Path(__file__).parent / "snapshots" / "revisions"


@pytest.fixture
def inside_revision(monkeypatch: pytest.MonkeyPatch) -> Callable[[], str | None]:
    """The revision (and direction) whose function runs now, or None between revisions."""
    running: list[str] = []
    init = alembic_migration.RevisionStep.__init__

    def tracking(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        function = self.migration_fn
        name = f"{self.revision.revision} {function.__name__}"

        def run(**kw: Any) -> Any:
            running.append(name)
            try:
                return function(**kw)
            finally:
                running.pop()

        run.__name__ = function.__name__
        self.migration_fn = run

    monkeypatch.setattr(alembic_migration.RevisionStep, "__init__", tracking)
    return lambda: running[-1] if running else None


def _undated(text: str) -> str:
    """The partition revision names the months around today (its partitions, their bounds):
    they are written relative to the current month, so the snapshot does not age."""
    import datetime as dt

    from musicdb.partitions import add_months, month_start

    now = month_start(dt.datetime.now(dt.UTC))
    for k in range(-1, 8):
        month = add_months(now, k)
        text = text.replace(f"{month:%Y-%m}-01", f"<month{k:+d}>").replace(
            f"_p{month:%Y%m}", f"_p<month{k:+d}>")
    return text


def _render(recorded: list[tuple[str, str, Any]]) -> str:
    lines, current = [], None
    for revision, text, params in recorded:
        if revision != current:
            lines.append(f"\n-- ==== {revision}")
            current = revision
        lines.append(f"{text};")
        if params:
            lines.append(f"-- params: {json.dumps(params, sort_keys=True)}")
    return _undated("\n".join(lines).lstrip("\n") + "\n")


@pytest.fixture
def pinned() -> Iterator[Callable[[str, list[tuple[str, str, Any]]], None]]:
    written: list[str] = []

    def compare(name: str, recorded: list[tuple[str, str, Any]]) -> None:
        path = SNAPSHOTS / f"{name}.sql"
        got = _render(recorded)
        if os.environ.get("MUSICDB_UPDATE_SNAPSHOTS"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(got, encoding="utf-8")
            written.append(path.name)
            return
        want = path.read_text(encoding="utf-8")
        assert got == want, (
            f"what released revisions execute changed ({path.name}); if only new revisions "
            "differ, regenerate with MUSICDB_UPDATE_SNAPSHOTS=1 and review the diff"
        )

    yield compare
    assert not written, f"snapshots rewritten, review the diff: {', '.join(written)}"


def test_a_fresh_database_up_to_head_and_back_to_base(
    empty_db_url, inside_revision, pinned
) -> None:
    target = DatabaseTarget(empty_db_url, "test")
    with recorded_statements("musicdb migrate", inside_revision) as up:
        migrate.upgrade(target, "head")
    with recorded_statements("musicdb migrate", inside_revision) as down:
        migrate.downgrade(target, "base")
    # every revision ran (the merge has nothing to run)
    revisions = {r.revision for r in migrate.script_directory().walk_revisions()} - {adopt.MERGE}
    assert {label.split()[0] for label, _t, _p in up} == revisions
    assert {label.split()[0] for label, _t, _p in down} == revisions - {adopt.LEGACY_BASE}
    pinned("fresh_upgrade", up)
    pinned("fresh_downgrade", down)


def test_the_legacy_conversion_of_the_fixture(legacy_db, inside_revision, pinned) -> None:
    url, _facts = legacy_db
    target = DatabaseTarget(url, "test")
    adopt.adopt(target)
    with recorded_statements("musicdb migrate", inside_revision) as up:
        migrate.upgrade(target, "head")
    ran = {label.split()[0] for label, _t, _p in up}
    assert adopt.LEGACY_REVISIONS - {adopt.LEGACY_BASE} <= ran  # every conversion step ran
    assert sum(text.startswith("INSERT INTO musicdb_adopt.quarantine") for _l, text, _p in up) > 3
    pinned("legacy_conversion", up)


def test_the_contract_and_its_undo(db_url, inside_revision, pinned) -> None:
    target = DatabaseTarget(db_url, "test")
    with recorded_statements("musicdb migrate", inside_revision) as forward:
        contract.run(target, progress=lambda _m: None)
    with recorded_statements("musicdb migrate", inside_revision) as back:
        contract.run(target, undo=True, progress=lambda _m: None)
    assert forward and back
    pinned("contract", forward)
    pinned("contract_undo", back)
