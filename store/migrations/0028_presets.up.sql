-- Invite presets: a company's named sets of an invitation's details
-- (issue 13). name_key is the name in lower case: one name per company
-- regardless of case. grants holds the preset's subscriptions with roles as
-- "subscription_id:role" pairs joined by commas, ordered by subscription:
-- a migration is one statement, so the grants have no table of their own;
-- the service checks each against the company's subscriptions on every
-- write, and no subscription or business role is ever deleted. The foreign
-- key on the business role includes company_id, as everywhere, so a preset
-- never names another company's business role.
CREATE TABLE presets (
  id {{.ID}},
  company_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  name_key VARCHAR(100) NOT NULL,
  business_role_id BIGINT NULL,
  department VARCHAR(100) NOT NULL,
  language VARCHAR(35) NOT NULL,
  time_zone VARCHAR(64) NOT NULL,
  admin_level VARCHAR(16) NOT NULL,
  grants {{.Text}} NOT NULL,
  created_at {{.Time}} NOT NULL,
  updated_at {{.Time}} NOT NULL,
  CONSTRAINT presets_name_key_uq UNIQUE (company_id, name_key),
  CONSTRAINT presets_company_fk FOREIGN KEY (company_id) REFERENCES companies (id),
  CONSTRAINT presets_business_role_fk FOREIGN KEY (company_id, business_role_id) REFERENCES business_roles (company_id, id)
){{.Options}}
