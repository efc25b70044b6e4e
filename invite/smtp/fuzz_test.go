package smtp

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/invitehq/invite/invite"
)

// Any name the product accepts (valid UTF-8 without control characters)
// is written into a recipient that reads back as that name and address.
func FuzzRecipientName(f *testing.F) {
	for _, seed := range []string{`Ada "The Countess" Lovelace`, `Lovelace, Ada`, `Ada <ada@evil.example>`, `Back\slash`, `"`, `\`, `Jürgen Groß`, `Zoë 🚀`, `=?utf-8?q?x?=`, `a@b.c`} {
		f.Add(seed)
	}
	m, err := New("smtp://localhost:25?tls=none", "Invitations <no-reply@invite.example.com>")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string) {
		name = strings.TrimSpace(name)
		if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) || utf8.RuneCountInString(name) > 201 {
			return // the product refuses it before it gets here
		}
		msg := &invite.Message{To: "ada@example.com", ToName: name, MessageID: "<a@invite.example.com>", Subject: "s", Text: "t", HTML: "h"}
		gm, err := m.message(msg)
		if err != nil {
			t.Fatalf("name %q: %v", name, err)
		}
		var raw bytes.Buffer
		if _, err := gm.WriteTo(&raw); err != nil {
			t.Fatal(err)
		}
		written, err := mail.ReadMessage(&raw)
		if err != nil {
			t.Fatalf("name %q: the message does not parse: %v", name, err)
		}
		to, err := written.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != msg.To {
			t.Fatalf("name %q: To %q reads back as %v, %v", name, written.Header.Get("To"), to, err)
		}
		if to[0].Name != name && !strings.Contains(name, "=?") {
			t.Fatalf("name %q: To %q reads back as name %q", name, written.Header.Get("To"), to[0].Name)
		}
		if rcpts, err := gm.GetRecipients(); err != nil || len(rcpts) != 1 || strings.Trim(rcpts[0], "<>") != msg.To {
			t.Fatalf("name %q: sent to %v, %v", name, rcpts, err)
		}
	})
}
