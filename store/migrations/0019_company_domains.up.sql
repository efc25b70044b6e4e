-- The e-mail domains a company's invitations and join requests may go to;
-- a company without any allows every domain. name is the domain's ASCII
-- form by IDNA, in lower case; subdomains allows its subdomains too.
CREATE TABLE company_domains (
  company_id BIGINT NOT NULL,
  name VARCHAR(253) NOT NULL,
  subdomains BOOLEAN NOT NULL,
  CONSTRAINT company_domains_pk PRIMARY KEY (company_id, name),
  CONSTRAINT company_domains_company_fk FOREIGN KEY (company_id) REFERENCES companies (id)
){{.Options}}
