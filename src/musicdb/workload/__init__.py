"""Synthetic platform data, the named query patterns and their benchmark."""
