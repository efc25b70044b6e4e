-- A company's join page: a secret key for its address, and whether it takes
-- requests.
ALTER TABLE companies ADD COLUMN join_key VARCHAR(43) NULL

--bun:split

ALTER TABLE companies ADD COLUMN join_requests BOOLEAN NOT NULL DEFAULT TRUE

--bun:split

CREATE UNIQUE INDEX companies_join_key_uq ON companies (join_key)

--bun:split

-- People without an invitation who ask to join a company. pending_email
-- holds the address only while the request is pending: one pending request
-- per company and address.
CREATE TABLE join_requests (
  id {{.ID}},
  company_id BIGINT NOT NULL,
  email VARCHAR(254) NOT NULL,
  pending_email VARCHAR(254) NULL,
  first_name VARCHAR(100) NOT NULL,
  last_name VARCHAR(100) NOT NULL,
  phone VARCHAR(20) NOT NULL,
  language VARCHAR(35) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at {{.Time}} NOT NULL,
  decided_at {{.Time}} NULL,
  decided_by BIGINT NULL,
  invitation_id BIGINT NULL,
  CONSTRAINT join_requests_pending_email_uq UNIQUE (company_id, pending_email),
  CONSTRAINT join_requests_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
){{.Options}}

--bun:split

CREATE INDEX join_requests_company_idx ON join_requests (company_id, status, id)
