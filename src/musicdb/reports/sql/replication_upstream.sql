-- replication-status on a standby: its WAL receiver (none when not streaming), the receive and
-- replay positions, and the replay lag: received but not replayed in bytes, and in seconds since
-- the last replayed commit (0 when everything received is replayed: an idle primary is no lag).
SELECT r.status, r.sender_host, r.sender_port, r.slot_name,
       pg_last_wal_receive_lsn()::text AS receive_lsn, pg_last_wal_replay_lsn()::text AS replay_lsn,
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) AS replay_lag_bytes,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END AS replay_lag_s,
       pg_last_xact_replay_timestamp() AS last_replay_at, pg_is_wal_replay_paused() AS paused
FROM (SELECT 1) AS one
LEFT JOIN pg_stat_wal_receiver AS r ON true
