-- When a processing password reset's claim lapses, so that a reset whose
-- worker failed or died is claimed again.
ALTER TABLE password_resets ADD COLUMN claimed_until {{.Time}} NULL
