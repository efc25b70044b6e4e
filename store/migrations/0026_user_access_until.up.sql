-- Access windows (0023-0027): the end of the user's window.
ALTER TABLE users ADD COLUMN access_until {{.Time}} NULL
