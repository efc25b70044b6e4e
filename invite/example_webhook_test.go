package invite_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/invitehq/invite/invite"
)

// A receiver checks each delivery with the webhook's secret before it
// trusts it, and skips an event it has taken already: delivery is at
// least once.
func ExampleVerifyWebhook() {
	const secret = "whsec_shown-once-when-the-webhook-was-added"
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
	)
	receive := func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		if err := invite.VerifyWebhook(secret, r.Header, body, time.Now()); err != nil {
			http.Error(w, "not from us", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if id := r.Header.Get(invite.WebhookIDHeader); !seen[id] {
			seen[id] = true
			// ... act on the event in body ...
		}
		w.WriteHeader(http.StatusNoContent)
	}
	_ = receive // http.HandleFunc("/invite-events", receive)

	// What the service sends, and what VerifyWebhook makes of it.
	body := []byte(`{"id":4711,"kind":"invitation.accepted"}`)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set(invite.WebhookIDHeader, "4711")
	h.Set(invite.WebhookTimestampHeader, strconv.FormatInt(at.Unix(), 10))
	h.Set(invite.WebhookSignatureHeader, invite.WebhookSignature(secret, at.Unix(), body))
	fmt.Println(invite.VerifyWebhook(secret, h, body, at.Add(time.Minute)))
	fmt.Println(invite.VerifyWebhook(secret, h, []byte(`{"id":4711,"kind":"user.deleted"}`), at))
	fmt.Println(invite.VerifyWebhook(secret, h, body, at.Add(10*time.Minute)))
	// Output:
	// <nil>
	// The webhook's signature is missing or does not match.
	// The webhook's timestamp is missing or too far from now.
}
