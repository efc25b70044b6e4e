-- ClaimMessages reads the due messages that are not bulk, then the bulk
-- ones, each oldest due first.
CREATE INDEX outbox_bulk_due_idx ON outbox (bulk, state, next_attempt_at)
