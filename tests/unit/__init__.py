"""Server-free unit tests of the pure functions: ``pytest tests/unit`` runs in seconds and never
starts PostgreSQL."""
