-- analyze-queries: the texts of the statements shown (and only those).
SELECT p.queryid, p.userid, p.dbid, p.query
FROM {pss}.pg_stat_statements(true) p
WHERE p.queryid = ANY(%(queryids)s)
