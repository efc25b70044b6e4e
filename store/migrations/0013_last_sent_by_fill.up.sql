-- Until now every link was sent by the invitation's inviter.
UPDATE invitations SET last_sent_by = invited_by WHERE last_sent_by IS NULL
