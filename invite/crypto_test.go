package invite

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func TestToken(t *testing.T) {
	token, hash, err := newToken(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q: %d bytes, %v; want 32 bytes of base64url", token, len(raw), err)
	}
	if sum := sha256.Sum256(raw); !bytes.Equal(hash, sum[:]) {
		t.Errorf("hash is not the SHA-256 of the token")
	}
	if got, ok := HashToken(token); !ok || !bytes.Equal(got, hash) {
		t.Errorf("HashToken(token): got %x, %v; want %x", got, ok, hash)
	}
	other, _, _ := newToken(rand.Reader)
	if other == token {
		t.Errorf("two tokens are equal")
	}
	for _, bad := range []string{"", token[:42], token + "A", strings.Repeat("*", 43), token[:42] + "="} {
		if _, ok := HashToken(bad); ok {
			t.Errorf("HashToken(%q) accepted a malformed token", bad)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	hash, err := hashPassword(rand.Reader, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id with the documented parameters", hash)
	}
	again, _ := hashPassword(rand.Reader, "correct horse battery staple")
	if again == hash {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name, hash, pw string
		want           bool
	}{
		{"OK", hash, "correct horse battery staple", true},
		{"WrongPassword", hash, "correct horse battery stapl", false},
		{"Empty", "", "", false},
		{"Bcrypt", "$2a$12$abcdefghijklmnopqrstuv", "x", false},
		{"Truncated", hash[:len(hash)-10], "correct horse battery staple", false},
		{"HugeMemory", strings.Replace(hash, "m=19456", "m=99999999", 1), "correct horse battery staple", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkPassword(tt.hash, tt.pw); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCursor(t *testing.T) {
	c := Cursor{CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.UTC), ID: 42}
	got, err := decodeCursor(encodeCursor(c))
	if err != nil || !got.CreatedAt.Equal(c.CreatedAt) || got.ID != c.ID {
		t.Errorf("round trip: got %+v, %v; want %+v", got, err, c)
	}
	for _, bad := range []string{"", "!", base64.RawURLEncoding.EncodeToString([]byte("1.0")), base64.RawURLEncoding.EncodeToString([]byte("x.1"))} {
		if _, err := decodeCursor(bad); err != ErrInvalidCursor {
			t.Errorf("decodeCursor(%q): got %v, want ErrInvalidCursor", bad, err)
		}
	}
}
