package invite

import (
	"context"
	"log/slog"
)

// LogMailer is the Mailer of the embedded default: it writes each message
// to a log instead of sending it. The outbox keeps the invitation links of
// the messages, which an invitation's sender or a Global Administrator
// copies from there (Service.Message); password reset links are only in
// the log.
type LogMailer struct {
	Logger *slog.Logger // slog.Default() when nil
}

// Deliver logs each message and reports it delivered.
func (m LogMailer) Deliver(ctx context.Context, msgs []*Message) []error {
	logger := m.Logger
	if logger == nil {
		logger = slog.Default()
	}
	for _, msg := range msgs {
		logger.InfoContext(ctx, "mail (not sent: no SMTP server configured)",
			"to", msg.To, "subject", msg.Subject, "message_id", msg.MessageID, "text", msg.Text)
	}
	return make([]error, len(msgs))
}

// KeepsLinks reports true: a logged invitation is passed on from the outbox,
// so its link must stay.
func (LogMailer) KeepsLinks() bool { return true }
