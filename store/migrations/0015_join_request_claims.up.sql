-- When a processing request to join's claim lapses, so that a request whose
-- worker failed or died is claimed again.
ALTER TABLE join_requests ADD COLUMN claimed_until {{.Time}} NULL
