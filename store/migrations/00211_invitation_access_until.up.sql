-- Access windows (0021): the end of the invitation's window.
ALTER TABLE invitations ADD COLUMN access_until {{.Time}} NULL
