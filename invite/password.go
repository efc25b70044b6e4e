package invite

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The password policy, after NIST SP 800-63B: length is what counts, so there
// are no composition rules. A password has MinPasswordLen to MaxPasswordLen
// characters of valid UTF-8 without control characters, and does not
// contain the local part of the user's e-mail address (ignoring case) when
// that part has three or more characters. Passwords are never trimmed.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// argon2id parameters: the OWASP recommendation of 19 MiB, two passes, one
// thread. They are written into each hash, so raising them later still
// verifies older hashes.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// password checks pw against the policy for the user with the given e-mail.
func (v *validator) password(field, pw, email string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		v.add(field, ReasonInvalidUTF8, "must be valid UTF-8 text")
	case strings.ContainsFunc(pw, unicode.IsControl):
		// No keyboard types them, and a line break would not survive a
		// password field: they are a mistake or an attack.
		v.add(field, ReasonInvalidCharacters, "must not contain control characters")
	case n < MinPasswordLen:
		v.addArgs(field, ReasonPasswordTooShort, map[string]any{"Min": MinPasswordLen}, "must have at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		v.addArgs(field, ReasonPasswordTooLong, map[string]any{"Max": MaxPasswordLen}, "must have at most %d characters", MaxPasswordLen)
	default:
		local, _, _ := strings.Cut(email, "@")
		if len(local) >= 3 && strings.Contains(strings.ToLower(pw), strings.ToLower(local)) {
			v.add(field, ReasonPasswordHasEmail, "must not contain the part of your e-mail address before the @")
		}
	}
}

// hashPassword returns the argon2id hash of pw in PHC string format, with a
// salt read from r.
func hashPassword(r io.Reader, pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := io.ReadFull(r, salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether pw matches hash, a PHC argon2id string.
// A malformed hash never matches.
func checkPassword(hash, pw string) bool {
	var (
		version, memory, iterations int
		threads                     uint8
	)
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &iterations, &threads); err != nil ||
		memory <= 0 || memory > 1<<22 || iterations <= 0 || iterations > 64 || threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, uint32(iterations), uint32(memory), threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// ValidatePassword checks password against the policy for the user with the
// given e-mail address, as Accept will, so that a form can report it with
// its other fields. It returns a CodeInvalid *Error at field "password".
func ValidatePassword(password, email string) error {
	var v validator
	v.password("password", password, email)
	return v.err()
}
