package invite

import (
	"context"
	"log/slog"
)

// LogMailer is the Mailer of the embedded default: it writes each message
// to a log instead of sending it. The outbox keeps the messages with their
// links, where an administrator reads them (Service.Messages).
type LogMailer struct {
	Logger *slog.Logger
}

// Deliver logs each message and reports it delivered.
func (m LogMailer) Deliver(ctx context.Context, msgs []*Message) []error {
	for _, msg := range msgs {
		m.Logger.InfoContext(ctx, "mail (not sent: no SMTP server configured)",
			"to", msg.To, "subject", msg.Subject, "message_id", msg.MessageID, "text", msg.Text)
	}
	return make([]error, len(msgs))
}

// KeepsLinks reports true: a logged message is read from the outbox, so its
// link must stay.
func (LogMailer) KeepsLinks() bool { return true }
