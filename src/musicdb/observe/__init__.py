"""Observing a running database: the analysis report and the metrics."""
