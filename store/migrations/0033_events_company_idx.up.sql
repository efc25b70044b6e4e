-- A company's history a page at a time (the export, the API's list).
CREATE INDEX events_company_idx ON events (company_id, id)
