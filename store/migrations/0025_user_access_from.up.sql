-- Access windows (0023-0027): the user keeps the window of their invitation.
ALTER TABLE users ADD COLUMN access_from {{.Time}} NULL
