-- Webhooks (issue 14): a company's HTTPS endpoints, each sent the
-- company's events of the kinds it chose. kinds holds the event kinds
-- joined by commas; secret signs each delivery (HMAC-SHA256), which needs
-- it as it is, so it is kept as it is, and shown to no one after it was
-- registered. last_* are the last delivery attempt, for the page that
-- lists them.
CREATE TABLE webhooks (
  id {{.ID}},
  company_id BIGINT NOT NULL,
  url VARCHAR(2048) NOT NULL,
  kinds {{.Text}} NOT NULL,
  secret VARCHAR(100) NOT NULL,
  created_by BIGINT NOT NULL,
  created_at {{.Time}} NOT NULL,
  last_attempt_at {{.Time}} NULL,
  last_status INT NOT NULL,
  last_error VARCHAR(1000) NOT NULL,
  CONSTRAINT webhooks_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
){{.Options}}
