-- A webhook's deliveries, and deleting them with it.
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id)
