package invite

import (
	"context"
	"errors"
	"strings"
	"time"
)

// APIToken is a key with which another system calls the HTTP API on behalf
// of the administrator who created it. It grants nothing of its own: every
// request made with it acts with its creator's rights as they are stored at
// that moment (AuthenticateToken), so a token never does more than its
// creator may, stops working with them (disabled, deleted, outside their
// access window) and works again with fewer rights once they are demoted.
// Only the SHA-256 of its secret is kept; the secret is shown once, when it
// is created.
type APIToken struct {
	ID     int64
	UserID int64 // who created it, and whose rights it acts with
	// CompanyID is the creator's company when it was created; 0 for none
	// (a Global Administrator without one).
	CompanyID int64
	Name      string
	// Prefix is the start of the secret, which is not secret: what tells
	// a token in a list from the others, and in a log from a stranger's.
	Prefix string
	// Hash is the SHA-256 of the secret, for the Store to keep. It is never
	// in an APIToken that the Service returns, and never in any encoding
	// of one.
	Hash       []byte `json:"-" xml:"-"`
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never
}

// TokenStore keeps API tokens and the keys that make a create happen once
// (IdempotencyKey).
type TokenStore interface {
	// CreateAPIToken stores t and sets t.ID, unless its user has limit
	// tokens already (ErrTooManyAPITokens) or does not exist
	// (ErrUserNotFound). Concurrent calls for one user take turns, so
	// that they never keep more than limit.
	CreateAPIToken(ctx context.Context, t *APIToken, limit int) error
	// APITokens returns the tokens of the user, oldest first.
	APITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// APITokenByHash returns the token whose secret has the given
	// SHA-256 hash, or ErrAPITokenNotFound.
	APITokenByHash(ctx context.Context, hash []byte) (*APIToken, error)
	// DeleteAPIToken deletes the token with the given ID if the user
	// created it, or returns ErrAPITokenNotFound. A user who is deleted
	// (DeleteUser) takes their tokens with them.
	DeleteAPIToken(ctx context.Context, userID, id int64) error
	// TouchAPIToken sets the token's LastUsedAt to at if it is not
	// after stale (a zero LastUsedAt is not), in one statement, so that of
	// requests at once one writes; a token that does not exist (any
	// more) is no error.
	TouchAPIToken(ctx context.Context, id int64, at, stale time.Time) error
	// CreateIdempotencyKey stores k and sets k.ID. A key that the same
	// user has already is ErrIdempotencyKeyExists, and nothing is stored;
	// the store enforces this itself (a unique index), so that of
	// concurrent calls within InTx one commits.
	CreateIdempotencyKey(ctx context.Context, k *IdempotencyKey) error
	// IdempotencyKey returns the user's key, or
	// ErrIdempotencyKeyNotFound.
	IdempotencyKey(ctx context.Context, userID int64, key string) (*IdempotencyKey, error)
	// PruneIdempotencyKeys deletes at most limit keys created before the
	// given time, and returns how many it deleted.
	PruneIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error)
}

// Bounds of API tokens.
const (
	// MaxAPITokens is how many tokens one user keeps at most.
	MaxAPITokens = 20
	// APITokenTouch is how often a token's LastUsedAt is written at most:
	// a token used every second does not turn every read into a write.
	APITokenTouch = time.Minute
	// APITokenPrefix starts every secret, so that one found in a file or
	// a log is recognised for what it is.
	APITokenPrefix = "invk_"
	// apiTokenShown is how much of the secret after APITokenPrefix
	// Prefix shows.
	apiTokenShown = 6
)

// The errors of API tokens.
var (
	ErrAPITokenNotFound = &Error{Code: CodeNotFound, Reason: "api_token_not_found", Message: "The API token was not found."}
	ErrTooManyAPITokens = &Error{Code: CodeConflict, Reason: "too_many_api_tokens", Message: "You have as many API tokens as one may have. Revoke one you no longer use first."}
)

// CreateAPIToken makes an API token of the acting administrator, named
// name, and returns its secret, the only time it is available, with the
// token. A user keeps at most MaxAPITokens.
func (s *Service) CreateAPIToken(ctx context.Context, name string) (string, *APIToken, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return "", nil, err
	}
	var v validator
	name = v.text("name", name, true, MaxNameLen)
	if err := v.err(); err != nil {
		return "", nil, err
	}
	token, hash, err := newToken(s.rand)
	if err != nil {
		return "", nil, err
	}
	secret := APITokenPrefix + token
	t := &APIToken{
		UserID: u.ID, CompanyID: u.CompanyID, Name: name, Prefix: secret[:len(APITokenPrefix)+apiTokenShown],
		Hash: hash, CreatedAt: s.clock(),
	}
	err = s.inTx(ctx, func(tx *Service) error {
		if err := tx.st().CreateAPIToken(ctx, t, MaxAPITokens); err != nil {
			return err
		}
		d := map[string]any{"token": t.ID, "name": t.Name, "prefix": t.Prefix}
		return tx.logEvents(ctx, userEvent(EventAPITokenCreated, u).by(u).with(d))
	})
	if errors.Is(err, ErrUserNotFound) {
		return "", nil, ErrUnauthorized
	}
	if err != nil {
		return "", nil, err
	}
	t.Hash = nil
	return secret, t, nil
}

// APITokens returns the acting user's API tokens, oldest first.
func (s *Service) APITokens(ctx context.Context) ([]*APIToken, error) {
	u, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := s.st().APITokens(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		t.Hash = nil
	}
	return ts, nil
}

// RevokeAPIToken deletes one of the acting user's API tokens: from then
// on no request is let in with it. Another's token is
// ErrAPITokenNotFound.
func (s *Service) RevokeAPIToken(ctx context.Context, id int64) error {
	u, err := s.actor(ctx)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Service) error {
		if err := tx.st().DeleteAPIToken(ctx, u.ID, id); err != nil {
			return err
		}
		return tx.logEvents(ctx, userEvent(EventAPITokenRevoked, u).by(u).with(map[string]any{"token": id}))
	})
}

// hashAPIToken returns the hash a Store looks the secret up by, or false
// if the text cannot be a secret.
func hashAPIToken(secret string) ([]byte, bool) {
	token, ok := strings.CutPrefix(secret, APITokenPrefix)
	if !ok {
		return nil, false
	}
	return HashToken(token)
}

// AuthenticateToken returns the creator of the API token whose secret is
// given, as they are stored now, or ErrUnauthorized for a secret of no
// token (never made, or revoked), or of a creator who is deleted, disabled
// or outside their access window. What the creator may do is decided by
// each call as for them: a token of a creator who is no longer an
// administrator authenticates, and is refused what they may not do. The
// token's LastUsedAt is written at most once every APITokenTouch.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*User, error) {
	hash, ok := hashAPIToken(secret)
	if !ok {
		return nil, ErrUnauthorized
	}
	t, err := s.st().APITokenByHash(ctx, hash)
	switch {
	case errors.Is(err, ErrAPITokenNotFound):
		return nil, ErrUnauthorized
	case err != nil:
		return nil, err
	}
	now := s.clock()
	u, err := s.st().User(ctx, t.UserID)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return nil, ErrUnauthorized
	case err != nil:
		return nil, err
	case u.Disabled() || accessError(u, now) != nil:
		return nil, ErrUnauthorized
	}
	if stale := now.Add(-APITokenTouch); !t.LastUsedAt.After(stale) {
		if err := s.st().TouchAPIToken(ctx, t.ID, now, stale); err != nil {
			return nil, err
		}
	}
	u.PasswordHash = ""
	return u, nil
}

// TokenContext returns a copy of ctx whose acting user is the creator of
// the API token whose secret is given, as AuthenticateToken returns them,
// with that user; ErrUnauthorized as AuthenticateToken. As with
// SessionContext, it is for the calls of one request: the user was loaded
// just now, and a context kept longer would act with rights they may have
// lost since.
func (s *Service) TokenContext(ctx context.Context, secret string) (context.Context, *User, error) {
	u, err := s.AuthenticateToken(ctx, secret)
	if err != nil {
		return ctx, nil, err
	}
	return s.withLoaded(ctx, u), u, nil
}
