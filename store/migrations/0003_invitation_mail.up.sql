-- An invitation's own e-mail template (NULL: the company's), and when its
-- one reminder is due (NULL: none is) and was written.
ALTER TABLE invitations ADD COLUMN mail_subject VARCHAR(200) NULL

--bun:split

ALTER TABLE invitations ADD COLUMN mail_body {{.Text}} NULL

--bun:split

ALTER TABLE invitations ADD COLUMN remind_at {{.Time}} NULL

--bun:split

ALTER TABLE invitations ADD COLUMN reminded_at {{.Time}} NULL

--bun:split

CREATE INDEX invitations_remind_idx ON invitations (remind_at)
