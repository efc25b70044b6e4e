package invite

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
)

// tokenBytes is the entropy of an invitation token.
const tokenBytes = 32

// newToken reads a token from r and returns it base64url-encoded for the
// link, with the SHA-256 hash that is the only form stored.
func newToken(r io.Reader) (token string, hash []byte, err error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", nil, fmt.Errorf("read token: %w", err)
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(b), sum[:], nil
}

// HashToken returns the SHA-256 hash of a token as found in a link, or false
// if the text cannot be a token. The hash is what a Store looks tokens up by.
func HashToken(token string) ([]byte, bool) {
	if base64.RawURLEncoding.DecodedLen(len(token)) != tokenBytes {
		return nil, false
	}
	// Strict: one token has one spelling (no stray bits in its last
	// character), as the link that was sent has.
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != tokenBytes {
		return nil, false
	}
	sum := sha256.Sum256(b)
	return sum[:], true
}
