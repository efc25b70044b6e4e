package invite

import (
	"encoding/json"
	"testing"
)

// A failed delivery's error is the mail servers' words for a Global
// Administrator, who runs them; for a company's administrators, and for
// the webhooks they register, its reply code alone.
func TestEventForReader(t *testing.T) {
	const answer = "smtp relay.internal.example:25: 550 5.1.1 no such user"
	failed := func() *Event {
		return &Event{Kind: EventMailFailed, Detail: detail(map[string]any{"error": answer, "final": true})}
	}
	errorOf := func(t *testing.T, raw json.RawMessage) string {
		t.Helper()
		var d map[string]any
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		s, _ := d["error"].(string)
		return s
	}
	tests := []struct {
		name   string
		reader *User
		want   string
	}{
		{"GlobalAdministrator", &User{AdminLevel: AdminGlobal}, answer},
		{"CompanyAdministrator", &User{AdminLevel: AdminCompany}, "550"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := failed()
			got := eventForReader(tt.reader, e)
			if s := errorOf(t, got.Detail); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
			if s := errorOf(t, e.Detail); s != answer {
				t.Errorf("the event read was changed: %q", s)
			}
		})
	}
	t.Run("Webhook", func(t *testing.T) {
		var p WebhookEvent
		if err := json.Unmarshal(webhookPayload(failed()), &p); err != nil {
			t.Fatal(err)
		}
		if s := errorOf(t, p.Detail); s != "550" {
			t.Errorf("a webhook's mail.failed: %q, want the reply code alone", s)
		}
	})
}
