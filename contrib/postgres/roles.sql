-- Least-privilege roles for team mode. Run as the database's owner (the role
-- whose CALLTOP_DATABASE_URL first started calltop, which created the schema),
-- after that first start, then give each role a password:
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -f contrib/postgres/roles.sql
--   psql "$OWNER_URL" -c "ALTER ROLE calltop_worker PASSWORD '…'"   (and the others)
-- Engineers' laptops use calltop_dashboard (or calltop_readonly); only the
-- owner can migrate, so upgrade calltop on one worker with the owner's URL first.

CREATE ROLE calltop_worker LOGIN;
CREATE ROLE calltop_dashboard LOGIN;
CREATE ROLE calltop_readonly LOGIN;

-- Workers and `serve` replicas: read and write every table, no DDL.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO calltop_worker;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO calltop_worker;

-- Dashboards: read everything; enqueue work (a retry sets a recording back to
-- pending, `t` queues a transcription job, a dashboard takes back a dead
-- process's claims). Nothing else.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO calltop_dashboard;
GRANT UPDATE (download_state, transient_failures, not_ready_tries, not_ready_since, next_retry_at, updated_at,
              lease_owner, lease_expires_at) ON recordings TO calltop_dashboard;
GRANT INSERT, UPDATE ON transcription_jobs TO calltop_dashboard;

-- `calltop --readonly`, `list`, `export`, `transcript`: read only.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO calltop_readonly;
