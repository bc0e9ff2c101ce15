"""Flask-Migrate on musicdb's revisions: ``flask db upgrade/current/check/downgrade``.

::

    from flask_sqlalchemy import SQLAlchemy
    from musicdb.flask import init_migrate
    from musicdb.models import Base

    db = SQLAlchemy(model_class=Base)
    db.init_app(app)
    init_migrate(app, db)

``flask db upgrade`` then runs musicdb's packaged revisions up to the compatible head (the
contract step is never part of it: ``musicdb migrate contract``), under the same migration lock
as ``musicdb migrate up``; ``flask db current`` shows what ``musicdb migrate status`` shows, and
``flask db check`` compares the application's models (types and server defaults) with the
database. Without the helper: ``Migrate(app, db, directory=MIGRATIONS_DIRECTORY,
compare_type=True, compare_server_default=True)``. New revisions belong to musicdb, never to
``flask db migrate``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

#: The directory of musicdb's packaged revisions (its ``env.py`` serves Flask-Migrate too).
MIGRATIONS_DIRECTORY = str(Path(__file__).resolve().parent / "migrations")


def init_migrate(app: Any, db: Any, **options: Any) -> Any:
    """``flask_migrate.Migrate`` on musicdb's revisions, comparing types and server defaults."""
    from flask_migrate import Migrate

    options.setdefault("compare_type", True)
    options.setdefault("compare_server_default", True)
    migrate = Migrate(app, db, directory=MIGRATIONS_DIRECTORY, **options)

    @migrate.configure
    def _print_to_current_stdout(config: Any) -> Any:
        # Alembic's Config binds the sys.stdout of import time; print where the command's is
        config.stdout = sys.stdout
        return config

    return migrate
