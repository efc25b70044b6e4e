-- When the invitee of an expired invitation last asked for a new one.
ALTER TABLE invitations ADD COLUMN renewal_requested_at {{.Time}} NULL
