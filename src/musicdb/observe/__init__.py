"""Watching the database: ``musicdb metrics`` (Prometheus) and ``musicdb report`` (one file)."""
