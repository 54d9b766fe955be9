-- pgbench's transaction for compat-postgresql.policy: one query, no tables.
SELECT 1;
