-- table-stats, part 2 (any user): what the bloat estimate needs, for the tables shown only: the
-- number of live columns, how many of them have statistics, the expected row width (average width
-- and NULL fraction per column) and the largest NULL fraction. pg_stats hides the statistics of
-- columns the user may not SELECT; it is read per table (an index lookup by schema and name), so
-- its per-column privilege checks run for the tables shown only.
SELECT k.oid, a.ncols, st.ncols AS ncols_with_stats, st.data_width, st.max_null_frac
FROM unnest(%(oids)s::oid[], %(schemas)s::text[], %(tables)s::text[])
       AS k(oid, schema_name, table_name)
CROSS JOIN LATERAL (
  SELECT count(*) AS ncols
  FROM pg_attribute a
  WHERE a.attrelid = k.oid AND a.attnum > 0 AND NOT a.attisdropped
) a
CROSS JOIN LATERAL (
  SELECT count(*) AS ncols, sum((1 - s.null_frac) * s.avg_width) AS data_width,
         max(s.null_frac) AS max_null_frac
  FROM pg_stats s
  WHERE s.schemaname = k.schema_name AND s.tablename = k.table_name AND NOT s.inherited
) st
