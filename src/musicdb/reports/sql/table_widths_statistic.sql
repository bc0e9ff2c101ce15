-- table-stats, part 2 (a role that may read pg_statistic, e.g. a superuser): the same figures as
-- table_widths.sql straight from pg_statistic, without the pg_stats view's per-column privilege
-- checks (such a role sees every column's statistics through pg_stats too, so the figures match).
SELECT a.attrelid AS oid, count(*) AS ncols, count(s.starelid) AS ncols_with_stats,
       sum((1 - s.stanullfrac) * s.stawidth) AS data_width, max(s.stanullfrac) AS max_null_frac
FROM pg_attribute a
LEFT JOIN pg_statistic s
  ON s.starelid = a.attrelid AND s.staattnum = a.attnum AND NOT s.stainherit
WHERE a.attrelid = ANY (%(oids)s::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
GROUP BY a.attrelid
