-- replication-status: every replication slot and the WAL it keeps (from its restart_lsn to the
-- server's current position: the primary's WAL, or what a standby has received).
SELECT slot_name AS name, slot_type || coalesce(' ' || database, '') AS client, active,
       wal_status,
       pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
                            ELSE pg_current_wal_lsn() END, restart_lsn) AS retained_bytes
FROM pg_replication_slots
ORDER BY slot_name
