-- Written by every transaction that takes seats (HoldSeats), so that such
-- transactions of one company take turns, on a Galera cluster too, where a
-- write is what certification compares and a locking read on another node
-- is not seen.
ALTER TABLE subscriptions ADD COLUMN seats_held BIGINT NOT NULL DEFAULT 0
