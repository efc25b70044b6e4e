-- Who sent an invitation's current link: its inviter, or whoever resent it
-- last. Sent Mail shows the link to that administrator (and to Global
-- Administrators) only.
ALTER TABLE invitations ADD COLUMN last_sent_by BIGINT NULL
