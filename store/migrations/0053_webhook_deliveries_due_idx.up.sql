-- ClaimWebhookDeliveries reads the due deliveries, oldest due first.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (state, next_attempt_at)
