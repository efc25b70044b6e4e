-- PruneIdempotencyKeys deletes the oldest first.
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at, id)
