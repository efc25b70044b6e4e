-- The schema. One file for both dialects: the ID, Time, Hash, Text and
-- Options template fields are filled in per dialect by store.Migrate. Every table a
-- company owns carries company_id, and foreign keys that point at a
-- company's subscriptions or business roles include it, so a grant can never
-- name another company's subscription. Frozen: change the schema in a new file.

CREATE TABLE companies (
  id {{.ID}},
  name VARCHAR(100) NOT NULL,
  name_key VARCHAR(100) NOT NULL,
  default_language VARCHAR(35) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  created_at {{.Time}} NOT NULL,
  CONSTRAINT companies_name_key_uq UNIQUE (name_key)
){{.Options}}

--bun:split

CREATE TABLE subscriptions (
  id {{.ID}},
  company_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  CONSTRAINT subscriptions_company_id_uq UNIQUE (company_id, id),
  CONSTRAINT subscriptions_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
){{.Options}}

--bun:split

CREATE TABLE business_roles (
  id {{.ID}},
  company_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  CONSTRAINT business_roles_company_id_uq UNIQUE (company_id, id),
  CONSTRAINT business_roles_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
){{.Options}}

--bun:split

CREATE TABLE users (
  id {{.ID}},
  company_id BIGINT NULL,
  email VARCHAR(254) NOT NULL,
  first_name VARCHAR(100) NOT NULL,
  last_name VARCHAR(100) NOT NULL,
  business_role_id BIGINT NULL,
  department VARCHAR(100) NOT NULL,
  phone VARCHAR(20) NOT NULL,
  language VARCHAR(35) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  admin_level VARCHAR(16) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  created_at {{.Time}} NOT NULL,
  CONSTRAINT users_email_uq UNIQUE (email),
  CONSTRAINT users_company_fk FOREIGN KEY (company_id) REFERENCES companies (id),
  CONSTRAINT users_business_role_fk FOREIGN KEY (company_id, business_role_id) REFERENCES business_roles (company_id, id)
){{.Options}}

--bun:split

CREATE TABLE user_subscriptions (
  user_id BIGINT NOT NULL,
  company_id BIGINT NOT NULL,
  subscription_id BIGINT NOT NULL,
  role VARCHAR(16) NOT NULL,
  PRIMARY KEY (user_id, subscription_id),
  CONSTRAINT user_subscriptions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT user_subscriptions_subscription_fk FOREIGN KEY (company_id, subscription_id) REFERENCES subscriptions (company_id, id)
){{.Options}}

--bun:split

-- pending_email holds the e-mail address only while the invitation is
-- pending; the unique index on it allows one pending invitation per company
-- and address (NULLs never collide). invited_by, accepted_by and canceled_by
-- have no foreign key, so that the history outlives a deleted user.
CREATE TABLE invitations (
  id {{.ID}},
  company_id BIGINT NOT NULL,
  email VARCHAR(254) NOT NULL,
  pending_email VARCHAR(254) NULL,
  first_name VARCHAR(100) NOT NULL,
  last_name VARCHAR(100) NOT NULL,
  business_role_id BIGINT NOT NULL,
  department VARCHAR(100) NOT NULL,
  phone VARCHAR(20) NOT NULL,
  language VARCHAR(35) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  admin_level VARCHAR(16) NOT NULL,
  invited_by BIGINT NOT NULL,
  token_hash {{.Hash}} NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at {{.Time}} NOT NULL,
  expires_at {{.Time}} NOT NULL,
  times_sent INT NOT NULL,
  last_sent_at {{.Time}} NOT NULL,
  accepted_at {{.Time}} NULL,
  accepted_by BIGINT NULL,
  canceled_at {{.Time}} NULL,
  canceled_by BIGINT NULL,
  CONSTRAINT invitations_pending_email_uq UNIQUE (company_id, pending_email),
  CONSTRAINT invitations_token_hash_uq UNIQUE (token_hash),
  CONSTRAINT invitations_company_fk FOREIGN KEY (company_id) REFERENCES companies (id),
  CONSTRAINT invitations_business_role_fk FOREIGN KEY (company_id, business_role_id) REFERENCES business_roles (company_id, id)
){{.Options}}

--bun:split

CREATE INDEX invitations_company_created_idx ON invitations (company_id, created_at, id)

--bun:split

CREATE INDEX invitations_created_idx ON invitations (created_at, id)

--bun:split

CREATE INDEX invitations_status_expires_idx ON invitations (status, expires_at)

--bun:split

CREATE TABLE invitation_subscriptions (
  invitation_id BIGINT NOT NULL,
  company_id BIGINT NOT NULL,
  subscription_id BIGINT NOT NULL,
  role VARCHAR(16) NOT NULL,
  PRIMARY KEY (invitation_id, subscription_id),
  CONSTRAINT invitation_subscriptions_invitation_fk FOREIGN KEY (invitation_id) REFERENCES invitations (id) ON DELETE CASCADE,
  CONSTRAINT invitation_subscriptions_subscription_fk FOREIGN KEY (company_id, subscription_id) REFERENCES subscriptions (company_id, id)
){{.Options}}
