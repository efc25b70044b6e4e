-- Seat limits: how many people may hold a subscription at once, users who
-- are enabled and invitations that are pending; 0 for no bound.
ALTER TABLE subscriptions ADD COLUMN seats INT NOT NULL DEFAULT 0
