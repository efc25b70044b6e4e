-- Readiness: each open DB commits a write to its own row when asked
-- whether it is ready (DB.Ready), so that a database that answers but
-- cannot write (read-only, full, locked) is not called ready. A row not
-- written for an hour is deleted by the next check.
CREATE TABLE readiness (
  id VARCHAR(32) NOT NULL PRIMARY KEY,
  checked_at {{.Time}} NOT NULL
){{.Options}}
