-- Access windows (0023-0027, one statement a file): an invitation may carry
-- the dates between which its user may log in (NULL: no bound).
ALTER TABLE invitations ADD COLUMN access_from {{.Time}} NULL
