package invite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"
)

// DefaultTTL is how long an invitation stays valid unless configured.
const DefaultTTL = 7 * 24 * time.Hour

// expireBatch bounds how many invitations one expiry statement marks.
const expireBatch = 500

// Config configures a Service. The zero value is ready to use.
type Config struct {
	// TTL is how long an invitation is valid after it is sent; DefaultTTL
	// when zero or negative.
	TTL time.Duration
	// Now is the clock; time.Now when nil. Times are truncated to
	// microseconds, the precision the stores keep.
	Now func() time.Time
	// Rand is the source of tokens and password salts; crypto/rand when nil.
	Rand io.Reader
	// BaseURL is the public URL of the server, which invitation links start
	// with: an absolute http or https URL (NewService panics on another);
	// DefaultBaseURL, a localhost address fit only for trying things out,
	// when empty.
	BaseURL string
	// RemindBefore is how long before an invitation expires its one
	// reminder is sent; DefaultRemindBefore when zero, none when negative.
	// An invitation sent less than this before it expires gets none.
	RemindBefore time.Duration
	// Retry is how delivery is retried; DefaultRetry()'s fields where zero.
	Retry Retry
	// Queued, if set, is called after a message has been written to the
	// outbox, so that a worker can deliver it at once instead of at its
	// next scheduled run. It must not block.
	Queued func()
	// ResetRequested, if set, is called after a password reset was
	// requested, so that IssuePasswordResets can run at once. It must not
	// block.
	ResetRequested func()
	// JoinRequested, if set, is called after someone asked to join, so
	// that ProcessJoinRequests can run at once. It must not block.
	JoinRequested func()
	// Limits bound how often things may happen; DefaultLimits() where
	// zero.
	Limits Limits
	// MaxHashing is how many passwords are hashed or checked at once
	// (argon2id takes a core and 19 MiB each); the number of CPUs when
	// zero. Others wait for a turn while their context lasts.
	MaxHashing int
	// Phone, if set, judges a phone number that has the form of E.164 (a
	// plus and 7 to 15 digits), and returns the number to keep, in E.164,
	// and whether it is valid: package phone's Check knows every country's
	// numbering plan. Without it, any number of that form is kept.
	Phone func(e164 string) (string, bool)
	// MaxHashWaiting is how many may wait for a turn; 256 per MaxHashing
	// (some ten seconds of work) when zero. Past that, and when a context
	// ends while waiting, the answer is ErrBusy.
	MaxHashWaiting int
	// Paths are where the pages links lead to live under BaseURL;
	// DefaultPaths when zero. NewService panics on Paths that cannot be
	// told apart or are not plain absolute paths.
	Paths Paths
	// Logger, if set, is told of each delivery that failed, with the mail
	// server's answer: what an operator watches when mail stops going out.
	Logger *slog.Logger
	// BatchQueued, if set, is called after a batch of invitations was
	// confirmed (ConfirmBatch), so that RunBatches can send it at once.
	// It must not block.
	BatchQueued func()
	// Recorded, if set, is called with events once they are committed
	// to the history (for example to count them, or to wake the webhook
	// worker). It must not block, nor keep evs.
	Recorded func(evs []*Event)
	// Webhooks configures the delivery of webhooks (webhook.go).
	Webhooks WebhookConfig
	// Retention is how long PruneHistory keeps events and delivered or
	// failed mail; DefaultRetention when zero, forever when negative.
	Retention time.Duration
}

// Defaults of Config.
const (
	DefaultBaseURL      = "http://localhost:8080"
	DefaultRemindBefore = 48 * time.Hour
)

// Service runs the invitation lifecycle: it authorizes the acting user in the
// context, validates input, applies the state machine and persists through a
// Store. It is safe for concurrent use. NewService makes one; the zero
// Service has no Store, and its methods panic saying so.
type Service struct {
	store          Store
	ttl            time.Duration
	now            func() time.Time
	rand           io.Reader
	baseURL        string
	paths          Paths
	links          *secretLinks
	remindBefore   time.Duration
	retry          Retry
	queued         func()
	resetRequested func()
	joinRequested  func()
	checkPhone     func(string) (string, bool)
	texts          *mailTexts
	hashing        *gate
	limits         Limits
	logger         *slog.Logger

	// instance tells this service, and the copies inTx makes of it, from
	// another: only it may trust the acting user it loaded itself.
	instance *instance

	// dummyHash is checked against when an e-mail address is unknown, so
	// that Authenticate takes as long whether or not the user exists.
	dummyHash func() string

	batchQueued func()
	recorded    func([]*Event)
	webhooks    *webhookClient
	retention   time.Duration // Config.Retention, as given
}

// NewService returns a Service over st, which must not be nil, configured
// by cfg, whose BaseURL must be empty or an absolute http or https URL.
func NewService(st Store, cfg Config) *Service {
	if st == nil {
		panic("invite: NewService needs a Store, such as package store's")
	}
	texts, err := builtinTexts()
	if err != nil {
		panic(err) // the texts are embedded; a test parses them
	}
	s := &Service{
		store:          st,
		ttl:            cfg.TTL,
		now:            cfg.Now,
		rand:           cfg.Rand,
		baseURL:        strings.TrimSuffix(cfg.BaseURL, "/"),
		remindBefore:   cfg.RemindBefore,
		retry:          cfg.Retry.withDefaults(),
		queued:         cfg.Queued,
		resetRequested: cfg.ResetRequested,
		joinRequested:  cfg.JoinRequested,
		checkPhone:     cfg.Phone,
		texts:          texts,
		limits:         cfg.Limits.withDefaults(),
		instance:       new(instance),
		logger:         cfg.Logger,
		retention:      cfg.Retention,
	}
	s.webhooks = newWebhookClient(cfg.Webhooks, s.retry)
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.queued == nil {
		s.queued = func() {}
	}
	if s.resetRequested == nil {
		s.resetRequested = func() {}
	}
	if s.joinRequested == nil {
		s.joinRequested = func() {}
	}
	if s.batchQueued = cfg.BatchQueued; s.batchQueued == nil {
		s.batchQueued = func() {}
	}
	if s.recorded = cfg.Recorded; s.recorded == nil {
		s.recorded = func([]*Event) {}
	}
	if s.baseURL == "" {
		s.baseURL = DefaultBaseURL
	}
	if u, err := url.Parse(s.baseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		panic(fmt.Sprintf("invite: NewService: BaseURL %q is not an absolute http or https URL", cfg.BaseURL))
	}
	if s.paths = cfg.Paths; s.paths == (Paths{}) {
		s.paths = DefaultPaths()
	}
	if err := s.paths.check(); err != nil {
		panic("invite: NewService: " + err.Error())
	}
	s.links = newSecretLinks(s.paths)
	if s.remindBefore == 0 {
		s.remindBefore = DefaultRemindBefore
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	slots, waiting := cfg.MaxHashing, cfg.MaxHashWaiting
	if slots <= 0 {
		slots = runtime.NumCPU()
	}
	if waiting <= 0 {
		waiting = 256 * slots
	}
	s.hashing = newGate(slots, waiting)
	s.dummyHash = sync.OnceValue(func() string {
		h, err := hashPassword(rand.Reader, "not a password of anyone")
		if err != nil {
			panic(err) // crypto/rand does not fail
		}
		return h
	})
	return s
}

// Paths returns where the pages links lead to live, under BaseURL.
func (s *Service) Paths() Paths { return s.paths }

// TTL returns how long an invitation stays valid.
func (s *Service) TTL() time.Duration { return s.ttl }

// inTx runs fn with a copy of the service whose store works in one
// transaction (Store.InTx): what fn does through it is committed together,
// or not at all. fn may run more than once, so it does nothing but work
// through the store it is given; hashing belongs before. The workers that
// Config's hooks wake are woken once the transaction has committed, when
// there is something for them to find.
func (s *Service) inTx(ctx context.Context, fn func(tx *Service) error) error {
	var (
		queued, resets, joins bool
		recorded              []*Event
	)
	err := s.st().InTx(ctx, func(st Store) error {
		queued, resets, joins, recorded = false, false, false, nil
		tx := *s
		tx.store = st
		tx.queued = func() { queued = true }
		tx.resetRequested = func() { resets = true }
		tx.joinRequested = func() { joins = true }
		tx.recorded = func(evs []*Event) { recorded = append(recorded, evs...) }
		return fn(&tx)
	})
	if err != nil {
		return err
	}
	if len(recorded) > 0 {
		s.recorded(recorded)
	}
	if queued {
		s.queued()
	}
	if resets {
		s.resetRequested()
	}
	if joins {
		s.joinRequested()
	}
	return nil
}

// errZero is what a Service not made by NewService panics with.
const errZero = "invite: a Service must be made by NewService; the zero Service has no Store"

// st returns the store, and panics, saying why, in a zero Service.
func (s *Service) st() Store {
	if s.store == nil {
		panic(errZero)
	}
	return s.store
}

// clock returns the current time in UTC at the stores' precision.
func (s *Service) clock() time.Time {
	if s.now == nil {
		panic(errZero)
	}
	return s.now().UTC().Truncate(time.Microsecond)
}

// actor returns the acting user that ctx names, as the store has them
// now: a user who does not exist (any more) or is disabled is
// ErrUnauthorized, and their role and company are the stored ones, never
// those of the value in ctx, which may be stale or made up.
func (s *Service) actor(ctx context.Context) (*User, error) {
	claimed, ok := FromContext(ctx)
	if !ok {
		return nil, ErrUnauthorized
	}
	if u, ok := s.loadedActor(ctx, claimed.ID); ok {
		return u, nil
	}
	u, err := s.st().User(ctx, claimed.ID)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return nil, ErrUnauthorized
	case err != nil:
		return nil, err
	case u.Disabled() || accessError(u, s.clock()) != nil:
		return nil, ErrUnauthorized
	}
	return u, nil
}

// admin returns the acting user if they administer some company.
func (s *Service) admin(ctx context.Context) (*User, error) {
	u, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.AdminLevel != AdminGlobal && u.AdminLevel != AdminCompany {
		return nil, ErrForbidden
	}
	return u, nil
}

// adminOf returns the acting user if they administer the company with the
// given ID; ErrCompanyNotFound if they administer others only.
func (s *Service) adminOf(ctx context.Context, companyID int64) (*User, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if !administers(u, companyID) {
		return nil, ErrCompanyNotFound
	}
	return u, nil
}

// administers reports whether u administers the company with the given ID.
func administers(u *User, companyID int64) bool {
	switch u.AdminLevel {
	case AdminGlobal:
		return true
	case AdminCompany:
		return companyID != 0 && u.CompanyID == companyID
	}
	return false
}

// scope returns the company a list by administrator u covers: their own for
// a Company Administrator (asking for another is ErrCompanyNotFound), and
// companyID, 0 for every company, for a Global Administrator.
func scope(u *User, companyID int64) (int64, error) {
	if u.AdminLevel == AdminGlobal {
		return companyID, nil
	}
	if companyID != 0 && companyID != u.CompanyID {
		return 0, ErrCompanyNotFound
	}
	return u.CompanyID, nil
}

// pageSize returns the page size to use for a requested one.
func pageSize(n int) int {
	if n <= 0 {
		return DefaultPageSize
	}
	return min(n, MaxPageSize)
}

// withField returns a copy of e that names field as the cause.
func withField(e *Error, field string) *Error {
	c := *e
	c.Fields = []FieldError{{Field: field, Reason: e.Reason, Message: e.Message}}
	return &c
}

// CompanyInput is what a Global Administrator registers a company with.
type CompanyInput struct {
	Name            string
	DefaultLanguage string // "en" when empty
	TimeZone        string // "UTC" when empty
	Subscriptions   []string
	BusinessRoles   []string
}

// RegisterCompany registers a company with its subscriptions and business
// roles. Only a Global Administrator may.
func (s *Service) RegisterCompany(ctx context.Context, in CompanyInput) (*Company, error) {
	u, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.AdminLevel != AdminGlobal {
		return nil, ErrForbidden
	}
	var v validator
	c := &Company{
		Name:            v.text("name", in.Name, true, MaxNameLen),
		DefaultLanguage: v.language("default_language", in.DefaultLanguage, "en"),
		TimeZone:        v.timeZone("time_zone", in.TimeZone, "UTC"),
		CreatedAt:       s.clock(),
	}
	for _, name := range v.names("subscriptions", in.Subscriptions) {
		c.Subscriptions = append(c.Subscriptions, Subscription{Name: name})
	}
	for _, name := range v.names("business_roles", in.BusinessRoles) {
		c.BusinessRoles = append(c.BusinessRoles, BusinessRole{Name: name})
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *Service) error {
		if err := tx.st().CreateCompany(ctx, c); err != nil {
			return err
		}
		return tx.logEvents(ctx, companyEvent(EventCompanyCreated, c.ID).by(u).with(map[string]any{"name": c.Name}))
	})
	if err != nil {
		if errors.Is(err, ErrCompanyExists) {
			return nil, withField(ErrCompanyExists, "name")
		}
		return nil, err
	}
	return c, nil
}

// Company returns a company the acting administrator administers.
func (s *Service) Company(ctx context.Context, id int64) (*Company, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if !administers(u, id) {
		return nil, ErrCompanyNotFound
	}
	return s.st().Company(ctx, id)
}

// Companies returns the companies the acting administrator administers.
func (s *Service) Companies(ctx context.Context) ([]*Company, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if u.AdminLevel == AdminGlobal {
		return s.st().Companies(ctx)
	}
	c, err := s.st().Company(ctx, u.CompanyID)
	if err != nil {
		return nil, err
	}
	return []*Company{c}, nil
}

// CompanyNames returns the names of the companies with the given IDs that
// the acting administrator administers, by ID: what a list of things in
// several companies names them by. Others are left out.
func (s *Service) CompanyNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	var mine []int64
	for _, id := range ids {
		if administers(u, id) && !slices.Contains(mine, id) {
			mine = append(mine, id)
		}
	}
	return s.st().CompanyNames(ctx, mine)
}

// CompanyByName returns the company the acting administrator administers
// whose name is name regardless of case (as company names are unique), or
// ErrCompanyNotFound.
func (s *Service) CompanyByName(ctx context.Context, name string) (*Company, error) {
	companies, err := s.Companies(ctx)
	if err != nil {
		return nil, err
	}
	key := strings.ToLower(norm.NFC.String(strings.TrimSpace(name)))
	for _, c := range companies {
		if strings.ToLower(c.Name) == key {
			return c, nil
		}
	}
	return nil, ErrCompanyNotFound
}

// Bootstrap creates a Global Administrator with the given e-mail address and
// password if no user exists yet, and returns them and true. They have no
// name until they give one (UpdateProfile): the mail they send is signed
// with the company's name meanwhile, in every language. If any user
// exists already it creates nobody and returns (nil, false, nil): running it
// on every start is safe. It is for setting up a new installation and does
// no authorization. Instances that start together on one empty database
// create the administrator once.
func (s *Service) Bootstrap(ctx context.Context, email, password string) (*User, bool, error) {
	var v validator
	email = v.email("email", email)
	if email != "" {
		v.password("password", password, email)
	}
	if err := v.err(); err != nil {
		return nil, false, err
	}
	if has, err := s.st().HasUsers(ctx); err != nil || has {
		return nil, false, err
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return nil, false, err
	}
	u := &User{
		Email:        email,
		Language:     "en",
		TimeZone:     "UTC",
		AdminLevel:   AdminGlobal,
		PasswordHash: hash,
		CreatedAt:    s.clock(),
	}
	// Instances that start at once take turns (the bootstrap limit's row is
	// locked until the transaction ends), so that only the first, whatever
	// address each was given, finds no user (found from outside).
	created := false
	err = s.inTx(ctx, func(tx *Service) error {
		created = false
		key := sha256.Sum256([]byte("bootstrap"))
		if err := tx.st().UpdateLimits(ctx, [][]byte{key[:]}, func(t []time.Time) ([]time.Time, error) { return t, nil }); err != nil {
			return err
		}
		if has, err := tx.st().HasUsers(ctx); err != nil || has {
			return err
		}
		created = true
		return tx.st().CreateUser(ctx, u)
	})
	switch {
	case errors.Is(err, ErrUserExists):
		return nil, false, nil // another instance, starting at once, was first
	case err != nil || !created:
		return nil, false, err
	}
	u.PasswordHash = ""
	return u, true, nil
}

// Authenticate returns the user with the given e-mail address and password,
// or ErrBadCredentials. It takes as long for an unknown address as for a
// wrong password. Past Limits.FailedLogins failures for one address from
// the request's client (WithClient), or Limits.FailedLoginsAnywhere from
// all, known address or not, it answers ErrTooManyFailedLogins without
// looking at the password.
func (s *Service) Authenticate(ctx context.Context, email, password string) (*User, error) {
	u, err := s.authenticateLimited(ctx, email, password)
	if err != nil {
		return nil, err
	}
	if err := s.logEvents(ctx, userEvent(EventLoginSucceeded, u).by(u).with(map[string]any{"session": false})); err != nil {
		return nil, err
	}
	u.PasswordHash = ""
	return u, nil
}

// authenticateLimited is Authenticate, returning the user with the hash
// that the password was checked against.
func (s *Service) authenticateLimited(ctx context.Context, email, password string) (*User, error) {
	email = strings.TrimSpace(email)
	normalized, valid := normalizeEmail(email)
	if !valid {
		normalized = strings.ToLower(email)
	}
	// Each try takes its place first; one that was no failed guess gives
	// it back.
	failures := s.failedLogins(ctx, normalized)
	if err := s.takeLimits(ctx, failures...); err != nil {
		return nil, err
	}
	u, err := s.authenticate(ctx, normalized, valid, password)
	if !errors.Is(err, ErrBadCredentials) {
		if gerr := s.giveBack(ctx, failures...); gerr != nil && err == nil {
			return nil, gerr
		}
	}
	if err != nil && ErrorCode(err) != CodeInternal && ErrorCode(err) != CodeLimited {
		if lerr := s.logEvents(ctx, s.loginFailed(ctx, normalized, valid, err)); lerr != nil {
			return nil, lerr
		}
	}
	return u, err
}

// loginFailed returns the event of a failed log-in at the address email
// (of a user or not; valid if it is an address at all) with error err. An
// address that is none is not kept: it may be anything anyone typed.
func (s *Service) loginFailed(ctx context.Context, email string, valid bool, err error) *Event {
	e := &Event{Kind: EventLoginFailed, Subject: SubjectUser}
	if valid {
		e.Email = email
		if u, uerr := s.st().UserByEmail(ctx, email); uerr == nil {
			e = userEvent(EventLoginFailed, u)
		}
	}
	reason := "bad_credentials"
	if ie, ok := errors.AsType[*Error](err); ok {
		reason = ie.Reason
	}
	d := map[string]any{"reason": reason}
	if c := clientOf(ctx); c != "" {
		d["client"] = c
	}
	e.Actor = ActorAnonymous
	return e.with(d)
}

func (s *Service) authenticate(ctx context.Context, email string, valid bool, password string) (*User, error) {
	if !valid {
		if _, err := s.checkPassword(ctx, s.dummyHash(), password); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	u, err := s.st().UserByEmail(ctx, email)
	switch {
	case errors.Is(err, ErrUserNotFound):
		if _, err := s.checkPassword(ctx, s.dummyHash(), password); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	case err != nil:
		return nil, err
	}
	match, err := s.checkPassword(ctx, u.PasswordHash, password)
	switch {
	case err != nil:
		return nil, err
	case !match:
		return nil, ErrBadCredentials
	case u.DisabledByWindow():
		// Disabled by the end of their window: they are told when it
		// ended, as before the job ran (found from outside).
		return nil, accessError(u, u.AccessUntil)
	case u.Disabled():
		// Said only to someone who knows the password.
		return nil, ErrUserDisabled
	}
	// So is when their access starts or ended.
	if err := accessError(u, s.clock()); err != nil {
		return nil, err
	}
	return u, nil
}
