"""Day-to-day operations: refresh, vacuum, health checks, the maintenance schedule."""
