-- Access windows (0023-0027): the end of the invitation's window.
ALTER TABLE invitations ADD COLUMN access_until {{.Time}} NULL
