"""musicdb: migrations, DBA reports and cron-safe maintenance for a music platform's PostgreSQL."""

__version__ = "0.1.0"
