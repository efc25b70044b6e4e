-- A user can be disabled, and their last log-in is shown to administrators.
ALTER TABLE users ADD COLUMN disabled_at {{.Time}} NULL

--bun:split

ALTER TABLE users ADD COLUMN last_login_at {{.Time}} NULL
