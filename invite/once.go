package invite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"time"
)

// IdempotencyKey records that a create under a caller's key was done
// (InviteOnce): what the request was (Fingerprint) and what was answered
// (Response), kept at least IdempotencyKeyTTL.
type IdempotencyKey struct {
	ID        int64
	UserID    int64 // whose key: keys of different users never meet
	CompanyID int64 // the company of what was made
	Key       string
	// Fingerprint is the SHA-256 of the caller's digest of the request
	// (Once.Fingerprint): the same key with another request is refused.
	Fingerprint []byte
	// InvitationID is the invitation made.
	InvitationID int64
	// Response is what the caller keeps to answer again, such as the
	// body it answered with: text, such as JSON.
	Response  []byte
	CreatedAt time.Time
}

// Bounds of idempotency keys.
const (
	// IdempotencyKeyTTL is how long a key is kept at least
	// (PruneIdempotencyKeys deletes it after).
	IdempotencyKeyTTL = 24 * time.Hour
	// MaxIdempotencyKeyLen bounds a key's length, in bytes.
	MaxIdempotencyKeyLen = 255
)

// The errors of idempotency keys.
var (
	ErrIdempotencyKeyReused   = &Error{Code: CodeInvalid, Reason: "idempotency_key_reused", Message: "This idempotency key was used with another request."}
	ErrIdempotencyKeyExists   = &Error{Code: CodeConflict, Reason: "idempotency_key_exists", Message: "This idempotency key has been used already."}
	ErrIdempotencyKeyNotFound = &Error{Code: CodeNotFound, Reason: "idempotency_key_not_found", Message: "The idempotency key was not found."}
)

// ReasonInvalidIdempotencyKey is the reason of a key that is empty, too
// long, or not printable ASCII.
const ReasonInvalidIdempotencyKey = "invalid_idempotency_key"

// Once names a create that is done at most once, whoever repeats it.
type Once struct {
	// Key is the caller's key: 1 to MaxIdempotencyKeyLen printable ASCII
	// characters.
	Key string
	// Fingerprint is the caller's digest of the request.
	Fingerprint []byte
	// Response, if set, returns what to keep with the key for the
	// invitation made, such as the body the caller answers with. It is
	// called in the transaction that makes the invitation, maybe more
	// than once (a transaction is run again); it must only compute.
	Response func(*Invitation) ([]byte, error)
}

// OnceResult is what InviteOnce did.
type OnceResult struct {
	// Invitation is the invitation made by this call, with Token its
	// link's token; both are zero when Replayed.
	Invitation *Invitation
	Token      string
	// Response is what Once.Response returned for the invitation made,
	// by this call or by the first with the key.
	Response []byte
	// Replayed reports that an earlier call with the key made the
	// invitation, and this one made nothing.
	Replayed bool
	// InvitationID is the invitation made, by this call or the first.
	InvitationID int64
}

// onceKey is the context key of the record InviteOnce asks Invite to keep.
type onceKey struct{}

// onceRecord is the key Invite keeps, and what it kept.
type onceRecord struct {
	userID   int64
	once     Once
	response []byte
}

// InviteOnce is Invite done at most once for the acting administrator's
// key: the key is stored in the transaction that makes the invitation and
// queues its mail, so that of calls with one key, concurrent or repeated
// (after a crash too), one makes the invitation and sends one mail; the
// others, with the same fingerprint, get the first one's Response
// (Replayed), and with another, ErrIdempotencyKeyReused. A call that
// failed keeps no key: it may be tried again.
func (s *Service) InviteOnce(ctx context.Context, once Once, in InvitationInput) (*OnceResult, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if !validIdempotencyKey(once.Key) {
		var v validator
		v.add("idempotency_key", ReasonInvalidIdempotencyKey, "must be 1 to %d printable ASCII characters", MaxIdempotencyKeyLen)
		return nil, v.err()
	}
	if r, err := s.replay(ctx, u.ID, once); !errors.Is(err, ErrIdempotencyKeyNotFound) {
		return r, err
	}
	rec := &onceRecord{userID: u.ID, once: once}
	inv, token, err := s.Invite(context.WithValue(ctx, onceKey{}, rec), in)
	if err != nil {
		// Another call with the key may have made it meanwhile, and this
		// one have failed for that (the key, the pending invitation).
		if r, rerr := s.replay(ctx, u.ID, once); !errors.Is(rerr, ErrIdempotencyKeyNotFound) {
			return r, rerr
		}
		return nil, err
	}
	return &OnceResult{Invitation: inv, Token: token, Response: rec.response, InvitationID: inv.ID}, nil
}

// replay returns what the user's key recorded, ErrIdempotencyKeyReused if
// it recorded another request, or ErrIdempotencyKeyNotFound.
func (s *Service) replay(ctx context.Context, userID int64, once Once) (*OnceResult, error) {
	k, err := s.st().IdempotencyKey(ctx, userID, once.Key)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(k.Fingerprint, fingerprint(once)) {
		return nil, ErrIdempotencyKeyReused
	}
	return &OnceResult{Response: k.Response, Replayed: true, InvitationID: k.InvitationID}, nil
}

// keepOnce stores the key that ctx carries for InviteOnce, if it carries
// one, with invitation inv just made: called by Invite in its
// transaction, so that the key and the invitation commit together.
func (s *Service) keepOnce(ctx context.Context, inv *Invitation) error {
	rec, ok := ctx.Value(onceKey{}).(*onceRecord)
	if !ok {
		return nil
	}
	rec.response = nil
	if rec.once.Response != nil {
		b, err := rec.once.Response(inv)
		if err != nil {
			return err
		}
		rec.response = b
	}
	return s.st().CreateIdempotencyKey(ctx, &IdempotencyKey{
		UserID: rec.userID, CompanyID: inv.CompanyID, Key: rec.once.Key, Fingerprint: fingerprint(rec.once),
		InvitationID: inv.ID, Response: rec.response, CreatedAt: s.clock(),
	})
}

// fingerprint returns what is kept of once's Fingerprint: its SHA-256,
// 32 bytes whatever the caller's digest is.
func fingerprint(once Once) []byte {
	sum := sha256.Sum256(once.Fingerprint)
	return sum[:]
}

func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > MaxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// PruneIdempotencyKeys deletes the keys older than IdempotencyKeyTTL, in
// bounded batches, and returns how many it deleted. It is a scheduled
// job's work and does no authorization.
func (s *Service) PruneIdempotencyKeys(ctx context.Context) (int, error) {
	before := s.clock().Add(-IdempotencyKeyTTL)
	total := 0
	for {
		n, err := s.st().PruneIdempotencyKeys(ctx, before, expireBatch)
		total += n
		if err != nil || n < expireBatch {
			return total, err
		}
	}
}
