-- A company's invitation e-mail template per language. A language without a
-- row uses the built-in text.
CREATE TABLE mail_templates (
  company_id BIGINT NOT NULL,
  language VARCHAR(35) NOT NULL,
  subject VARCHAR(200) NOT NULL,
  body {{.Text}} NOT NULL,
  updated_at {{.Time}} NOT NULL,
  PRIMARY KEY (company_id, language),
  CONSTRAINT mail_templates_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
){{.Options}}
