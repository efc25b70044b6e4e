-- Access windows (0023-0027): the job that disables the users whose window
-- ended finds them by its end.
CREATE INDEX users_access_until_idx ON users (access_until)
