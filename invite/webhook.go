package invite

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhook is an HTTPS endpoint of a company that is sent the company's
// events of the kinds it chose, each signed with its secret
// (VerifyWebhook), through an outbox written in the transaction of the
// event: an event that is committed is delivered at least once, and one
// that is rolled back never.
type Webhook struct {
	ID        int64
	CompanyID int64
	URL       string
	Kinds     []EventKind
	// Secret signs every delivery. The store keeps it; the Service shows
	// it once, in what CreateWebhook returns, and never again: Webhooks
	// returns it empty.
	Secret    string
	CreatedBy int64
	CreatedAt time.Time
	// The last delivery attempt: when (zero for none yet), the HTTP status
	// it was answered (0 for none: the connection failed or was refused),
	// and what went wrong ("" when it was delivered).
	LastAttemptAt time.Time
	LastStatus    int
	LastError     string
}

// Delivered reports whether the webhook's last attempt was delivered.
func (w *Webhook) Delivered() bool {
	return !w.LastAttemptAt.IsZero() && w.LastError == ""
}

// WebhookState is where a delivery of an event to a webhook stands.
type WebhookState string

// The states of a delivery: queued (due at NextAttemptAt), sending
// (claimed by a worker until NextAttemptAt), delivered, or failed for good.
const (
	WebhookQueued    WebhookState = "queued"
	WebhookSending   WebhookState = "sending"
	WebhookDelivered WebhookState = "delivered"
	WebhookFailed    WebhookState = "failed"
)

// WebhookDelivery is one event to be sent to one webhook: a row of the
// webhooks' outbox.
type WebhookDelivery struct {
	ID        int64
	CompanyID int64
	WebhookID int64
	EventID   int64
	// Payload is the JSON body that is posted, made when the event was.
	Payload       []byte
	State         WebhookState
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   time.Time // zero until delivered
	// Webhook is the webhook it goes to, with its URL and secret, as
	// ClaimWebhookDeliveries returns it; nil elsewhere.
	Webhook *Webhook
}

// WebhookStore keeps companies' webhooks and their outbox.
type WebhookStore interface {
	// CreateWebhook locks the company's webhooks against concurrent
	// calls for the same company, calls check with how many the company
	// has, and, unless check fails, stores w and sets w.ID, in one
	// transaction. A company that does not exist is ErrCompanyNotFound.
	CreateWebhook(ctx context.Context, w *Webhook, check func(count int) error) error
	// Webhook returns the webhook with the given ID, or
	// ErrWebhookNotFound.
	Webhook(ctx context.Context, id int64) (*Webhook, error)
	// Webhooks returns the webhooks of the given companies, ordered by
	// company and ID: one indexed read, which the history makes with
	// every event it appends.
	Webhooks(ctx context.Context, companyIDs []int64) ([]*Webhook, error)
	// DeleteWebhook deletes the webhook with the given ID with its
	// deliveries, or returns ErrWebhookNotFound.
	DeleteWebhook(ctx context.Context, id int64) error
	// EnqueueWebhookDeliveries stores ds, which are queued, in one
	// transaction (within InTx, the event's).
	EnqueueWebhookDeliveries(ctx context.Context, ds []*WebhookDelivery) error
	// ClaimWebhookDeliveries claims at most limit deliveries that are
	// queued, or sending with a lapsed claim, and due at now, oldest due
	// first: it marks them sending until leaseUntil, counts the attempt,
	// and returns them with their Webhook. Concurrent claims never return
	// the same delivery. A delivery whose webhook is gone is deleted, not
	// returned.
	ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*WebhookDelivery, error)
	// SaveWebhookDelivery saves the outcome of the claimed attempt d
	// (State, NextAttemptAt, LastStatus, LastError, DeliveredAt) and, as
	// the webhook's last attempt, at: the time, the status and the error.
	// It does nothing if the delivery has been claimed again since.
	SaveWebhookDelivery(ctx context.Context, d *WebhookDelivery, at time.Time) error
	// WebhookDeliveries returns at most limit deliveries of a webhook,
	// ordered by ID.
	WebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]*WebhookDelivery, error)
	// PruneWebhookDeliveries deletes at most limit deliveries, delivered
	// or failed, that were made before the given time, and returns how
	// many it deleted.
	PruneWebhookDeliveries(ctx context.Context, before time.Time, limit int) (int, error)
}

// The bounds of webhooks.
const (
	// MaxWebhookURLLen is the longest URL of a webhook, in bytes.
	MaxWebhookURLLen = 2048
	// DefaultMaxWebhooks is how many webhooks a company may have unless
	// configured.
	DefaultMaxWebhooks = 10
	// WebhookTolerance is how far a delivery's timestamp may be from the
	// receiver's clock for VerifyWebhook: the window in which a captured
	// delivery could be replayed.
	WebhookTolerance = 5 * time.Minute
)

// The errors and field reasons of webhooks.
var (
	ErrWebhookNotFound  = &Error{Code: CodeNotFound, Reason: "webhook_not_found", Message: "The webhook was not found."}
	ErrTooManyWebhooks  = &Error{Code: CodeConflict, Reason: "too_many_webhooks", Message: "The company has as many webhooks as it may have. Delete one first."}
	ErrWebhookSignature = &Error{Code: CodeUnauthorized, Reason: "webhook_signature", Message: "The webhook's signature is missing or does not match."}
	ErrWebhookTimestamp = &Error{Code: CodeUnauthorized, Reason: "webhook_timestamp", Message: "The webhook's timestamp is missing or too far from now."}
)

// Field reasons of a webhook's URL.
const (
	ReasonInvalidURL       = "invalid_url"
	ReasonHTTPSRequired    = "https_required"
	ReasonURLUserinfo      = "url_userinfo"
	ReasonNotPublicAddress = "not_public_address"
	ReasonKindsRequired    = "kinds_required"
)

// WebhookInput is what a webhook is registered with.
type WebhookInput struct {
	CompanyID int64
	URL       string
	Kinds     []EventKind
}

// CreateWebhook registers a webhook of a company, which is sent the
// company's events of the given kinds from now on. A Company
// Administrator of the company or a Global Administrator may. The URL is
// https, at most MaxWebhookURLLen bytes, without a user name or password,
// and not at a loopback, private or otherwise non-public address unless
// the operator allowed it (WebhookConfig); a company has at most
// WebhookConfig.MaxPerCompany webhooks (ErrTooManyWebhooks).
//
// The webhook it returns has its Secret, which signs every delivery: the
// only time the secret is shown. A receiver keeps it; one who lost it
// deletes the webhook and registers another. Shown once, it is seen by
// whoever registered the webhook and no one after, as a password is:
// later administrators of the company, a session left open, a screen
// shared, none can read it off a page.
func (s *Service) CreateWebhook(ctx context.Context, in WebhookInput) (*Webhook, error) {
	u, err := s.adminOf(ctx, in.CompanyID)
	if err != nil {
		return nil, err
	}
	var v validator
	raw := s.webhooks.checkURL(&v, "url", in.URL)
	kinds := webhookKinds(&v, "kinds", in.Kinds)
	if err := v.err(); err != nil {
		return nil, err
	}
	secret, err := s.webhookSecret()
	if err != nil {
		return nil, err
	}
	w := &Webhook{CompanyID: in.CompanyID, URL: raw, Kinds: kinds, Secret: secret, CreatedBy: u.ID, CreatedAt: s.clock()}
	max := s.webhooks.maxPerCompany
	// Recorded before the webhook is stored: the company's other webhooks
	// are told of it, and it takes the events from after it was added.
	e := companyEvent(EventCompanyChanged, in.CompanyID).by(u).with(map[string]any{"setting": "webhooks", "added": raw, "kinds": kinds})
	err = s.inTx(ctx, func(tx *Service) error {
		if err := tx.logEvents(ctx, e); err != nil {
			return err
		}
		return tx.st().CreateWebhook(ctx, w, func(n int) error {
			if n >= max {
				return ErrTooManyWebhooks
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// MaxWebhooks returns how many webhooks a company may have.
func (s *Service) MaxWebhooks() int { return s.webhooks.maxPerCompany }

// Webhooks returns a company's webhooks, ordered by ID, without their
// secrets. A Company Administrator of the company or a Global
// Administrator may read them.
func (s *Service) Webhooks(ctx context.Context, companyID int64) ([]*Webhook, error) {
	if _, err := s.adminOf(ctx, companyID); err != nil {
		return nil, err
	}
	if _, err := s.st().Company(ctx, companyID); err != nil {
		return nil, err
	}
	ws, err := s.st().Webhooks(ctx, []int64{companyID})
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		w.Secret = ""
	}
	return ws, nil
}

// Webhook returns a webhook, without its secret, to a Company
// Administrator of its company or a Global Administrator; to anyone else
// it is ErrWebhookNotFound.
func (s *Service) Webhook(ctx context.Context, id int64) (*Webhook, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.st().Webhook(ctx, id)
	if err != nil {
		return nil, err
	}
	if !administers(u, w.CompanyID) {
		return nil, ErrWebhookNotFound
	}
	w.Secret = ""
	return w, nil
}

// DeleteWebhook deletes a webhook with what it has not been sent yet. A
// Company Administrator of its company or a Global Administrator may; to
// anyone else it is ErrWebhookNotFound.
func (s *Service) DeleteWebhook(ctx context.Context, id int64) error {
	w, err := s.Webhook(ctx, id)
	if err != nil {
		return err
	}
	u, err := s.actor(ctx)
	if err != nil {
		return err
	}
	return s.changeCompany(ctx, u, w.CompanyID, "webhooks", map[string]any{"deleted": w.URL}, func(tx *Service) error {
		return tx.st().DeleteWebhook(ctx, id)
	})
}

// webhookSecret returns a new signing secret: 32 random bytes.
func (s *Service) webhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := s.rand.Read(b); err != nil {
		return "", internal("webhook secret", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// internal returns an internal error with the cause.
func internal(what string, err error) error {
	return &Error{Code: CodeInternal, Reason: "internal", Message: "An internal error occurred.", Err: fmt.Errorf("%s: %w", what, err)}
}

// webhookKinds checks a webhook's kinds and returns them each once, in the
// order of EventKinds.
func webhookKinds(v *validator, field string, in []EventKind) []EventKind {
	var out []EventKind
	for _, k := range in {
		if !k.Valid() {
			v.add(field, ReasonUnknownEventKind, "%q is not a kind of event", k)
			return nil
		}
	}
	for _, k := range EventKinds() {
		if slices.Contains(in, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		v.add(field, ReasonKindsRequired, "choose at least one kind of event")
	}
	return out
}

// checkURL checks a webhook's URL and returns it as it is kept.
func (c *webhookClient) checkURL(v *validator, field, raw string) string {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		v.add(field, ReasonRequired, "is required")
		return ""
	case len(raw) > MaxWebhookURLLen:
		v.addArgs(field, ReasonTooLong, map[string]any{"Max": MaxWebhookURLLen}, "must be at most %d characters", MaxWebhookURLLen)
		return ""
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Opaque != "" || !utf8Printable(raw):
		v.add(field, ReasonInvalidURL, "is not a URL")
	case !strings.EqualFold(u.Scheme, "https"):
		v.add(field, ReasonHTTPSRequired, "must start with https://")
	case u.User != nil:
		v.add(field, ReasonURLUserinfo, "must not hold a user name or password")
	case u.Hostname() == "":
		v.add(field, ReasonInvalidURL, "has no host")
	case !c.hostAllowed(u.Hostname()):
		v.add(field, ReasonNotPublicAddress, "must be at a public address")
	default:
		u.Scheme = "https"
		return u.String()
	}
	return ""
}

// utf8Printable reports whether s has no control characters or spaces.
func utf8Printable(s string) bool {
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// fanOutWebhooks writes a delivery of each of evs, which st has just
// appended, to each webhook of its company that takes its kind: in the
// transaction of st, so that the deliveries are committed with the events
// or not at all. It reads the companies' webhooks once.
func fanOutWebhooks(ctx context.Context, st Store, evs []*Event, now time.Time) error {
	var companies []int64
	for _, e := range evs {
		if e.CompanyID != 0 && !slices.Contains(companies, e.CompanyID) {
			companies = append(companies, e.CompanyID)
		}
	}
	if len(companies) == 0 {
		return nil
	}
	hooks, err := st.Webhooks(ctx, companies)
	if err != nil || len(hooks) == 0 {
		return err
	}
	var ds []*WebhookDelivery
	for _, e := range evs {
		var payload []byte
		for _, h := range hooks {
			if h.CompanyID != e.CompanyID || !slices.Contains(h.Kinds, e.Kind) {
				continue
			}
			if payload == nil {
				payload = webhookPayload(e)
			}
			ds = append(ds, &WebhookDelivery{
				CompanyID: e.CompanyID, WebhookID: h.ID, EventID: e.ID, Payload: payload,
				State: WebhookQueued, NextAttemptAt: now, CreatedAt: now,
			})
		}
	}
	if len(ds) == 0 {
		return nil
	}
	return st.EnqueueWebhookDeliveries(ctx, ds)
}

// appendEvents appends evs through the service's store and writes their
// webhooks' deliveries, in one transaction: the caller's, within inTx.
func (s *Service) appendEvents(ctx context.Context, evs []*Event) error {
	now := s.clock()
	return s.st().InTx(ctx, func(tx Store) error {
		if err := tx.AppendEvents(ctx, evs); err != nil {
			return err
		}
		return fanOutWebhooks(ctx, tx, evs, now)
	})
}

// WebhookEvent is the JSON body of a delivery: the event, with its actor
// as an object.
type WebhookEvent struct {
	ID        int64           `json:"id"`
	Kind      EventKind       `json:"kind"`
	At        time.Time       `json:"at"`
	CompanyID int64           `json:"company_id"`
	Actor     WebhookActor    `json:"actor"`
	Subject   SubjectKind     `json:"subject"`
	SubjectID int64           `json:"subject_id"`
	Email     string          `json:"email"`
	Detail    json.RawMessage `json:"detail"`
}

// WebhookActor is who did what a delivered event records.
type WebhookActor struct {
	Kind  ActorKind `json:"kind"`
	ID    int64     `json:"id,omitempty"`
	Email string    `json:"email,omitempty"`
}

// webhookPayload returns the body of the deliveries of e.
func webhookPayload(e *Event) []byte {
	// Sent to the company's own systems: as its administrators read it (a
	// failed delivery's reply code, not the servers in between).
	e = eventForReader(companyReader(), e)
	p := WebhookEvent{
		ID: e.ID, Kind: e.Kind, At: e.At.UTC(), CompanyID: e.CompanyID,
		Actor:   WebhookActor{Kind: e.Actor, ID: e.ActorID, Email: e.ActorEmail},
		Subject: e.Subject, SubjectID: e.SubjectID, Email: e.Email, Detail: e.Detail,
	}
	if len(p.Detail) == 0 || !json.Valid(p.Detail) {
		p.Detail = json.RawMessage("{}")
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic("invite: a webhook's payload does not encode: " + err.Error()) // our own types
	}
	return b
}

// The headers of a delivery.
const (
	WebhookIDHeader        = "Webhook-Id"        // the event's ID: the same in every attempt, for deduplication
	WebhookTimestampHeader = "Webhook-Timestamp" // when the attempt was signed, in Unix seconds
	WebhookSignatureHeader = "Webhook-Signature" // "v1=" and the hex HMAC-SHA256 of the timestamp, ".", and the body
)

// WebhookSignature returns the Webhook-Signature of a body signed with
// secret at the given Unix time: "v1=" and the hex HMAC-SHA256, keyed
// with the secret, of the time in decimal, a dot, and the body.
func WebhookSignature(secret string, timestamp int64, body []byte) string {
	return "v1=" + hex.EncodeToString(webhookMAC(secret, strconv.FormatInt(timestamp, 10), body))
}

func webhookMAC(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifyWebhook checks a delivery as its receiver got it: that its
// Webhook-Signature holds a v1 signature of its Webhook-Timestamp and body
// with secret (compared in constant time; several, separated by spaces or
// commas, may be given), and that the timestamp is within
// WebhookTolerance of now, so that a delivery captured on the way cannot
// be replayed later, and that its Webhook-Id is the signed body's "id".
// It returns ErrWebhookTimestamp or ErrWebhookSignature. A receiver then
// deduplicates by Webhook-Id: delivery is at least once.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	ts := h.Get(WebhookTimestampHeader)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ts != strconv.FormatInt(sec, 10) {
		return ErrWebhookTimestamp
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > WebhookTolerance || d < -WebhookTolerance {
		return ErrWebhookTimestamp
	}
	want := webhookMAC(secret, ts, body)
	ok := false
	for _, sig := range strings.FieldsFunc(h.Get(WebhookSignatureHeader), func(r rune) bool { return r == ' ' || r == ',' }) {
		hexSig, found := strings.CutPrefix(sig, "v1=")
		if !found {
			continue
		}
		got, err := hex.DecodeString(hexSig)
		if err == nil && hmac.Equal(got, want) {
			ok = true
		}
	}
	if !ok {
		return ErrWebhookSignature
	}
	// The signature covers the body, whose "id" is the event's: a
	// Webhook-Id that says otherwise (a captured delivery replayed under
	// another ID, to pass a receiver's deduplication) is refused.
	var signed struct {
		ID int64 `json:"id"`
	}
	if json.Unmarshal(body, &signed) != nil || h.Get(WebhookIDHeader) != strconv.FormatInt(signed.ID, 10) {
		return ErrWebhookSignature
	}
	return nil
}

// dropWebhooks deletes, by administrator by (nil: the system), the
// webhooks that u registered and may no longer keep: every one if u is
// gone (deleted or disabled), else those of the companies u no longer
// administers (a demotion), each recorded as the company's change. A
// webhook sends the company's events to whoever registered it: found from
// outside, a deleted administrator's endpoint kept receiving them.
func (s *Service) dropWebhooks(ctx context.Context, u *User, gone bool, by *User) error {
	companies := []int64{u.CompanyID}
	if u.AdminLevel == AdminGlobal {
		cs, err := s.st().Companies(ctx)
		if err != nil {
			return err
		}
		companies = companies[:0]
		for _, c := range cs {
			companies = append(companies, c.ID)
		}
	}
	ws, err := s.st().Webhooks(ctx, companies)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if w.CreatedBy != u.ID || !gone && !u.Disabled() && administers(u, w.CompanyID) {
			continue
		}
		if err := s.st().DeleteWebhook(ctx, w.ID); err != nil && !errors.Is(err, ErrWebhookNotFound) {
			return err
		}
		d := map[string]any{"setting": "webhooks", "deleted": w.URL, "cause": CancelSenderChanged}
		if err := s.logEvents(ctx, companyEvent(EventCompanyChanged, w.CompanyID).by(by).with(d)); err != nil {
			return err
		}
	}
	return nil
}
