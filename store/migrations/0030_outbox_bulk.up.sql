-- Messages of a batch of invitations (Invite Users) are bulk: the outbox
-- sends every other due message first, so that a password reset or one
-- invitation does not wait behind thousands.
ALTER TABLE outbox ADD COLUMN bulk BOOLEAN NOT NULL DEFAULT FALSE
