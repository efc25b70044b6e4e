-- The webhooks' outbox: one row for each event and webhook that takes its
-- kind, written in the transaction of the event; workers claim due rows
-- (SELECT ... FOR UPDATE SKIP LOCKED on MySQL) and post them. payload is
-- the JSON body, made with the event, so that a delivery does not depend
-- on the history's retention. webhook_id has no foreign key: a webhook
-- deleted while an event is written must not fail the event's
-- transaction; a delivery whose webhook is gone is deleted when claimed.
CREATE TABLE webhook_deliveries (
  id {{.ID}},
  company_id BIGINT NOT NULL,
  webhook_id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  payload {{.Text}} NOT NULL,
  state VARCHAR(16) NOT NULL,
  attempts INT NOT NULL,
  next_attempt_at {{.Time}} NOT NULL,
  last_status INT NOT NULL,
  last_error VARCHAR(1000) NOT NULL,
  created_at {{.Time}} NOT NULL,
  delivered_at {{.Time}} NULL
){{.Options}}
