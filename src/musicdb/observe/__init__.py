"""Watching the database continuously: ``musicdb metrics`` (a Prometheus exporter)."""
