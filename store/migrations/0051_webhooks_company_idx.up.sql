-- The history reads the webhooks of an event's company with every event
-- it appends: one indexed read, which finds nothing for most companies.
CREATE INDEX webhooks_company_idx ON webhooks (company_id, id)
