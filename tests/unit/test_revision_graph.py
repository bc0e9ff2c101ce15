"""The revision graph read from the revision files (no Alembic import) is Alembic's own."""

from __future__ import annotations

import subprocess
import sys

from musicdb import migrate


def test_revision_graph_is_alembics() -> None:
    script = migrate.script_directory()
    alembic_graph = {r.revision: tuple(sorted(r._all_down_revisions))
                     for r in script.walk_revisions()}
    ours = {rev: tuple(sorted(downs)) for rev, downs in migrate.revision_graph().items()}
    assert ours == alembic_graph
    assert migrate.heads() == tuple(sorted(script.get_heads()))


def test_heads_do_not_import_alembic() -> None:
    code = ("import sys; from musicdb import migrate; migrate.heads(); "
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
