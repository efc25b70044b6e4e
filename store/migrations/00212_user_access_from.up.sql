-- Access windows (0021): the user keeps the window of their invitation.
ALTER TABLE users ADD COLUMN access_from {{.Time}} NULL
