-- Least-privilege roles for team mode. Run as the database's owner (the role
-- whose CALLTOP_DATABASE_URL first started calltop, which created the schema),
-- after that first start, then give each role a password:
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -f contrib/postgres/roles.sql
--   psql "$OWNER_URL" -c "ALTER ROLE calltop_worker PASSWORD '…'"   (and the others)
-- Engineers' laptops use calltop_dashboard (or calltop_readonly); only the
-- owner can migrate, so upgrade calltop on one worker with the owner's URL first.

-- Safe to run again (after an upgrade that added tables, say): roles are created once.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calltop_worker') THEN CREATE ROLE calltop_worker LOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calltop_dashboard') THEN CREATE ROLE calltop_dashboard LOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'calltop_readonly') THEN CREATE ROLE calltop_readonly LOGIN; END IF;
END
$$;

-- Workers and `serve` replicas: read and write every table, no DDL.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO calltop_worker;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO calltop_worker;
-- Tables a later migration adds (run by this owner) come with the same rights.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO calltop_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO calltop_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO calltop_dashboard, calltop_readonly;

-- Dashboards: read everything; enqueue work (a retry sets a recording back to
-- pending, `t` queues a transcription job, a dashboard takes back a dead
-- process's claims). Nothing else.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO calltop_dashboard;
GRANT UPDATE (download_state, transient_failures, not_ready_tries, not_ready_since, next_retry_at, updated_at,
              lease_owner, lease_expires_at) ON recordings TO calltop_dashboard;
GRANT INSERT, UPDATE ON transcription_jobs TO calltop_dashboard;

-- `calltop --readonly`, `list`, `export`, `transcript`: read only.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO calltop_readonly;
