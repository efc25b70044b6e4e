-- The Users list of one company, a page at a time by ID: without this index
-- MariaDB read every user of the company and sorted them for each page
-- (2,106 reads for 51 rows of 2,000 users; TestDeepPagesSeek).
CREATE INDEX users_company_idx ON users (company_id, id)
