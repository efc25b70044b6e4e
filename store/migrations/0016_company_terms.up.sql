-- The terms of use an invitee accepts, in the company's own words; NULL for
-- the built-in terms.
ALTER TABLE companies ADD COLUMN terms {{.Text}} NULL
