package invite

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxBatchRows bounds the rows of one batch of invitations (InviteMany).
const MaxBatchRows = 10000

// batchChunk is how many rows of a batch one transaction sends, and
// records the outcomes of: a process killed during a send loses at most
// one chunk's transaction, which the next claim does again.
const batchChunk = 100

// batchLease is how long a claim of a batch that is sent lasts without
// a chunk done; each chunk renews it. A chunk that outlasts it costs
// nothing but a claim lost: each chunk locks the batch and goes on from
// what is done. (It was two minutes; a killed process's batch then waited
// two to three, found by TestKillDuringBulkSend.)
const batchLease = 30 * time.Second

// BatchState is where a batch of invitations is in its life.
type BatchState string

// The states of a batch: checked (the dry run is kept, nothing is sent),
// queued (confirmed, waiting for a worker), sending (claimed by a worker,
// until ClaimedUntil), done (every row settled).
const (
	BatchChecked BatchState = "checked"
	BatchQueued  BatchState = "queued"
	BatchSending BatchState = "sending"
	BatchDone    BatchState = "done"
)

// Batch is a set of invitations sent in one go by one administrator into
// one company (InviteMany, PrepareBatch, ConfirmBatch): its rows, each
// row's outcome, and how far the send has come. It is also the record of
// who sent what in bulk, and when.
type Batch struct {
	ID        int64
	CompanyID int64
	AdminID   int64
	// Key, if not empty, makes the batch one of its kind for its
	// administrator: a second call with it sends nothing again.
	Key   string
	State BatchState
	// AllOrNone: send nothing unless every row passes; otherwise the
	// rows that pass are sent.
	AllOrNone bool
	Rows      []InvitationInput
	// Lines are the lines of their source (a file) the rows came from, if
	// the caller told them: what messages about a row name.
	Lines []int
	// Outcomes holds one outcome per row: the dry run's until the row is
	// sent, then the send's.
	Outcomes []RowOutcome
	// Done is how many rows, from the first, the send has settled.
	Done         int
	CreatedAt    time.Time
	ConfirmedAt  time.Time
	ClaimedUntil time.Time
}

// RowOutcome is what became of one row of a batch: sent (with the
// invitation's ID), or refused with an error of this package, kept as
// its parts so that any store can keep it.
type RowOutcome struct {
	InvitationID int64        `json:"id,omitempty"`
	Code         Code         `json:"code,omitempty"`
	Reason       string       `json:"reason,omitempty"`
	Message      string       `json:"message,omitempty"`
	Fields       []FieldError `json:"fields,omitempty"`
}

// Err returns the row's error, nil if it passed (or was sent).
func (o RowOutcome) Err() error {
	if o.Code == "" {
		return nil
	}
	return &Error{Code: o.Code, Reason: o.Reason, Message: o.Message, Fields: o.Fields}
}

// Sent reports whether the row's invitation was made.
func (o RowOutcome) Sent() bool { return o.InvitationID != 0 }

// outcomeOf keeps err as an outcome; an error that is not of this package
// is kept as internal.
func outcomeOf(err error) RowOutcome {
	e, ok := errors.AsType[*Error](err)
	if !ok || e == nil {
		return RowOutcome{Code: CodeInternal, Reason: "internal", Message: ErrorMessage(err)}
	}
	return RowOutcome{Code: e.Code, Reason: e.Reason, Message: e.Message, Fields: e.Fields}
}

// Counts returns how many rows of b passed (or were sent), and how many
// were refused, of those settled so far; and how many are sent.
func (b *Batch) Counts() (valid, invalid, sent int) {
	for _, o := range b.Outcomes {
		switch {
		case o.Code != "":
			invalid++
		case o.Sent():
			sent++
			valid++
		default:
			valid++
		}
	}
	return valid, invalid, sent
}

// Line returns the source line of row i: Lines[i] if told, else i+1.
func (b *Batch) Line(i int) int {
	if i < len(b.Lines) && b.Lines[i] > 0 {
		return b.Lines[i]
	}
	return i + 1
}

// RowResult is the outcome of one input of InviteMany, in the order of
// the inputs: the invitation made (or, in a dry run, that would be made,
// without ID) and its token, or Err, an *Error with field errors as
// Invite returns them.
type RowResult struct {
	Index      int
	Invitation *Invitation
	Token      string // only from the call that made the invitation
	Err        error
}

// ManyOption changes how InviteMany, PrepareBatch and ConfirmBatch work.
type ManyOption func(*manyOptions)

type manyOptions struct {
	allOrNone bool
	key       string
	progress  func(done, total int)
	lines     []int
}

// AllOrNone makes InviteMany send nothing unless every row passes.
func AllOrNone() ManyOption { return func(o *manyOptions) { o.allOrNone = true } }

// BatchKey names the batch: a second call with the same key by the same
// administrator sends nothing again, and returns the first call's outcome.
func BatchKey(key string) ManyOption { return func(o *manyOptions) { o.key = key } }

// OnProgress has fn told, after each chunk of rows sent, how many of how
// many are settled.
func OnProgress(fn func(done, total int)) ManyOption {
	return func(o *manyOptions) { o.progress = fn }
}

// SourceLines tells which line of its source (a file) each input came
// from, for the messages that name another row.
func SourceLines(lines []int) ManyOption { return func(o *manyOptions) { o.lines = lines } }

// The errors of batches.
var (
	ErrBatchNotFound    = &Error{Code: CodeNotFound, Reason: "batch_not_found", Message: "The batch of invitations was not found."}
	ErrBatchEmpty       = &Error{Code: CodeInvalid, Reason: "batch_empty", Message: "There is nobody to invite."}
	ErrBatchTooLarge    = &Error{Code: CodeInvalid, Reason: "batch_too_large", Message: "At most 10,000 people can be invited at once."}
	ErrBatchExists      = &Error{Code: CodeConflict, Reason: "batch_exists", Message: "A batch with this key exists."}
	ErrBatchNotSent     = &Error{Code: CodeConflict, Reason: "batch_not_sent", Message: "Not sent: other rows are invalid, and only a batch of valid rows was to be sent."}
	ErrTooManyBatchRows = &Error{Code: CodeLimited, Reason: "too_many_batch_rows", Message: "You have invited too many people in bulk for now."}
	ErrBatchSenderGone  = &Error{Code: CodeForbidden, Reason: "batch_sender_gone", Message: "Not sent: the administrator who sent the list may no longer invite into the company."}
	errBatchClaimLost   = errors.New("invite: the claim of the batch has lapsed")
)

// Reasons of the field errors of batch rows.
const (
	ReasonDuplicateInBatch = "duplicate_in_batch"
	ReasonFormula          = "formula"
	ReasonUnknownPreset    = "unknown_preset"
	ReasonOtherCompany     = "other_company"
)

// InviteMany invites each of inputs, into one company, as Invite would,
// and returns each row's result in order. Each row is checked by Invite's
// rules, and also refused if its address is an earlier row's (naming that
// row) or a text starts as a spreadsheet formula would.
//
// With dryRun, nothing is written: the results say what would happen. Without,
// the rows that pass are sent, a chunk at a time (AllOrNone: only if every
// row passes), each checked again as it is sent; the batch is kept, so a
// process that stops during the send leaves it to RunBatches, which
// finishes it without sending any row twice. A batch takes all its rows
// at once from the administrator's bound on rows sent in bulk
// (Limits.BatchRows), or is refused.
//
// The error is that of the whole call (not an administrator, no or too
// many rows, the bound); a row's is in its RowResult.
func (s *Service) InviteMany(ctx context.Context, inputs []InvitationInput, dryRun bool, opts ...ManyOption) ([]RowResult, error) {
	o := manyOpts(opts)
	if dryRun {
		u, c, err := s.batchCompany(ctx, inputs)
		if err != nil {
			return nil, err
		}
		invs, outs, err := s.checkRows(ctx, u, c, inputs, o.lines)
		if err != nil {
			return nil, err
		}
		res := make([]RowResult, len(inputs))
		for i := range res {
			res[i] = RowResult{Index: i, Invitation: invs[i], Err: outs[i].Err()}
		}
		return res, nil
	}
	b, err := s.PrepareBatch(ctx, inputs, opts...)
	if err != nil {
		return nil, err
	}
	if b, err = s.ConfirmBatch(ctx, b.ID, o.allOrNone); err != nil {
		return nil, err
	}
	tokens := make(map[int]string)
	for b.State != BatchDone {
		now := s.clock()
		ids, err := s.st().ClaimBatches(ctx, b.ID, now, now.Add(batchLease), 1)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			// Another call, or RunBatches, sends it: wait for it.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		if b, err = s.st().Batch(ctx, b.ID); err != nil {
			return nil, err
		}
		for b.State == BatchSending && len(ids) > 0 {
			if b, err = s.sendBatch(ctx, b, tokens, o.progress); errors.Is(err, errBatchClaimLost) {
				b, err = s.st().Batch(ctx, ids[0])
				break
			}
			if err != nil {
				return nil, err
			}
		}
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 && o.progress != nil {
			o.progress(b.Done, len(b.Rows))
		}
	}
	return s.batchResults(ctx, b, tokens)
}

func manyOpts(opts []ManyOption) manyOptions {
	var o manyOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// batchCompany returns the acting administrator and the company inputs
// go to: every input's CompanyID must be the same (0, for a Company
// Administrator, their own).
func (s *Service) batchCompany(ctx context.Context, inputs []InvitationInput) (*User, *Company, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case len(inputs) == 0:
		return nil, nil, ErrBatchEmpty
	case len(inputs) > MaxBatchRows:
		return nil, nil, ErrBatchTooLarge
	}
	id := inputs[0].CompanyID
	for _, in := range inputs[1:] {
		if in.CompanyID != id {
			var v validator
			v.add("company", ReasonOtherCompany, "must be the same for every row")
			return nil, nil, v.err()
		}
	}
	c, err := s.companyFor(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	return u, c, nil
}

// checkRows checks every input as Invite would into c by u, and the rules
// of batches, and returns the invitations rows would make and the
// outcomes (a zero outcome for a row that passes). It writes nothing but
// marks expired a pending invitation past its expiry, as Invite does. An
// error is one of the store, not of a row.
func (s *Service) checkRows(ctx context.Context, u *User, c *Company, inputs []InvitationInput, lines []int) ([]*Invitation, []RowOutcome, error) {
	b := &Batch{Lines: lines}
	invs := make([]*Invitation, len(inputs))
	outs := make([]RowOutcome, len(inputs))
	seen := make(map[string]int, len(inputs))
	presets, err := s.companyPresets(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	for i, in := range inputs {
		inv, err := s.checkRow(ctx, u, c, in, presets)
		if err == nil {
			if j, ok := seen[inv.Email]; ok {
				var v validator
				v.addArgs("email", ReasonDuplicateInBatch, map[string]any{"Line": b.Line(j)}, "is the address of line %d", b.Line(j))
				err = v.err()
			} else {
				seen[inv.Email] = i
			}
		}
		switch code := ErrorCode(err); code {
		case "":
			invs[i] = inv
		case CodeInternal, CodeUnavailable:
			return nil, nil, err
		default:
			outs[i] = outcomeOf(err)
		}
	}
	if err := s.batchSeats(ctx, c, invs, outs); err != nil {
		return nil, nil, err
	}
	return invs, outs, nil
}

// batchSeats counts the seats that the rows of one batch take together
// against the company's, as they are now, without holding them (a dry run
// writes nothing): a row past them is refused (its outcome set), in the
// row order. The send takes them again, held, a row at a time.
func (s *Service) batchSeats(ctx context.Context, c *Company, invs []*Invitation, outs []RowOutcome) error {
	if !limitsSeats(c) {
		return nil
	}
	uses, err := s.st().SeatUse(ctx, c.ID, s.clock())
	if err != nil {
		return err
	}
	book := make(seatBook, len(uses))
	for i := range uses {
		if uses[i].Limited() {
			book[uses[i].Subscription.ID] = &uses[i]
		}
	}
	for i, inv := range invs {
		if inv == nil {
			continue
		}
		if err := book.take(inv.Grants, nil, forInvitation); err != nil {
			invs[i], outs[i] = nil, outcomeOf(err)
		}
	}
	return nil
}

// checkRow checks one row: the rules of batches, then Invite's, with the
// preset it names from presets, the company's (companyPresets).
func (s *Service) checkRow(ctx context.Context, u *User, c *Company, in InvitationInput, presets map[string]*Preset) (*Invitation, error) {
	in.CompanyID = c.ID
	var v validator
	for _, f := range []struct{ name, value string }{
		{"email", in.Email}, {"first_name", in.FirstName}, {"last_name", in.LastName},
		{"department", in.Department}, {"language", in.Language}, {"time_zone", in.TimeZone},
		{"preset", in.Preset},
	} {
		if Formula(f.value) {
			v.add(f.name, ReasonFormula, "must not start with =, +, -, @, a tab or a carriage return")
		}
	}
	if Formula(in.Phone) && !strings.HasPrefix(in.Phone, "+") { // +49… is a phone number
		v.add("phone", ReasonFormula, "must not start with =, +, -, @, a tab or a carriage return")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := fillPreset(&in, presets); err != nil {
		return nil, err
	}
	return s.checkInvite(ctx, u, c, in)
}

// Formula reports whether a spreadsheet would take s, as a cell, for a
// formula: it starts with =, +, -, @, a tab or a carriage return.
func Formula(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// PrepareBatch checks inputs as InviteMany's dry run does and keeps the
// batch with each row's outcome, checked, for ConfirmBatch to send: what a
// page shows between the dry run and the confirmation. With BatchKey, a
// batch of the administrator's with that key is returned as it is.
func (s *Service) PrepareBatch(ctx context.Context, inputs []InvitationInput, opts ...ManyOption) (*Batch, error) {
	o := manyOpts(opts)
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if o.key != "" {
		if b, err := s.st().BatchByKey(ctx, u.ID, o.key); err == nil {
			return b, nil
		} else if !errors.Is(err, ErrBatchNotFound) {
			return nil, err
		}
	}
	u, c, err := s.batchCompany(ctx, inputs)
	if err != nil {
		return nil, err
	}
	_, outs, err := s.checkRows(ctx, u, c, inputs, o.lines)
	if err != nil {
		return nil, err
	}
	rows := make([]InvitationInput, len(inputs))
	for i, in := range inputs {
		in.CompanyID = c.ID
		rows[i] = in
	}
	b := &Batch{
		CompanyID: c.ID, AdminID: u.ID, Key: o.key, State: BatchChecked,
		AllOrNone: o.allOrNone, Rows: rows, Lines: o.lines, Outcomes: outs,
		CreatedAt: s.clock(),
	}
	err = s.st().CreateBatch(ctx, b)
	if errors.Is(err, ErrBatchExists) { // the same key at the same moment
		return s.st().BatchByKey(ctx, u.ID, o.key)
	}
	if err != nil {
		return nil, err
	}
	s.logger.Info("batch of invitations checked", "batch", b.ID, "company", c.ID, "admin", u.ID, "rows", len(rows))
	return b, nil
}

// Batch returns a batch of invitations of a company the acting
// administrator administers.
func (s *Service) Batch(ctx context.Context, id int64) (*Batch, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.st().Batch(ctx, id)
	if err != nil {
		return nil, err
	}
	if !administers(u, b.CompanyID) {
		return nil, ErrBatchNotFound
	}
	return b, nil
}

// Batches returns the latest batches of invitations (at most limit,
// DefaultPageSize when 0) of a company the acting administrator
// administers (0: every company they administer), newest first, without
// their rows: what the Invite Users page lists so that a batch left on
// its way can be found again.
func (s *Service) Batches(ctx context.Context, companyID int64, limit int) ([]*Batch, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if companyID, err = scope(u, companyID); err != nil {
		return nil, err
	}
	return s.st().Batches(ctx, companyID, pageSize(limit))
}

// ConfirmBatch confirms a checked batch of the acting administrator's:
// it is queued, to be sent by RunBatches, all its rows or none
// (allOrNone), or its valid ones. Confirming it again, or at the same
// moment, changes nothing and returns it as it is: it is sent once.
func (s *Service) ConfirmBatch(ctx context.Context, id int64, allOrNone bool) (*Batch, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	queued := false
	var b *Batch
	err = s.inTx(ctx, func(tx *Service) error {
		queued = false
		var err error
		b, err = tx.st().UpdateBatch(ctx, id, func(b *Batch) error {
			if b.AdminID != u.ID || !administers(u, b.CompanyID) {
				return ErrBatchNotFound
			}
			if b.State != BatchChecked {
				return nil // confirmed already: sent once
			}
			// The rows to send take from the bound: every row, all or
			// none; else those that passed the dry run.
			n := len(b.Outcomes)
			if !allOrNone {
				n, _, _ = b.Counts()
			}
			if err := tx.takeRows(ctx, u, n); err != nil {
				return err
			}
			b.AllOrNone = allOrNone
			b.ConfirmedAt = tx.clock()
			b.State = BatchQueued
			queued = true
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if queued {
		s.logger.Info("batch of invitations confirmed", "batch", b.ID, "company", b.CompanyID, "admin", u.ID, "rows", len(b.Outcomes), "all_or_none", b.AllOrNone)
		s.batchQueued()
	}
	return s.st().Batch(ctx, id) // with its rows
}

// takeRows takes n rows from u's bound on rows sent in bulk, all at once,
// or fails saying how many it has left.
func (s *Service) takeRows(ctx context.Context, u *User, n int) error {
	r := s.limits.BatchRows
	if r.Count <= 0 {
		return nil
	}
	now := s.clock()
	sum := sha256.Sum256([]byte(userKey("batch-rows", u.ID)))
	return s.st().UpdateLimits(ctx, [][]byte{sum[:]}, func(tats []time.Time) ([]time.Time, error) {
		tat := tats[0]
		if tat.Before(now) {
			tat = now
		}
		each := r.Per / time.Duration(r.Count)
		next := tat.Add(time.Duration(n) * each)
		if wait := next.Sub(now) - r.Per; wait > 0 {
			left := max(0, int((r.Per-tat.Sub(now))/each))
			e := limited(ErrTooManyBatchRows, wait).(*Error)
			e.Fields = []FieldError{{Field: "rows", Reason: ReasonTooManyRows, Message: fmt.Sprintf("%d rows, %d left for now", n, left), Args: map[string]any{"Rows": n, "Left": left}}}
			return nil, e
		}
		return []time.Time{next}, nil
	})
}

// ReasonTooManyRows is the field error of a batch past the bound on rows.
const ReasonTooManyRows = "too_many_rows"

// RunBatches sends the confirmed batches, and finishes those whose sender
// stopped (a claim that lapsed), and returns how many it finished. It is
// the scheduled job's work, run beside the outbox's; running it on many
// instances at once is safe.
func (s *Service) RunBatches(ctx context.Context) (int, error) {
	n := 0
	for {
		now := s.clock()
		ids, err := s.st().ClaimBatches(ctx, 0, now, now.Add(batchLease), 1)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		b, err := s.st().Batch(ctx, ids[0])
		if err != nil {
			return n, err
		}
		for b.State == BatchSending && err == nil {
			b, err = s.sendBatch(ctx, b, nil, nil)
		}
		if errors.Is(err, errBatchClaimLost) {
			continue // another took it over
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// sendBatch sends the next chunk of b, claimed until b.ClaimedUntil, in
// one transaction that records its rows' outcomes and renews the claim,
// and returns the batch as it is then. Each row is checked again; those
// refused at the dry run stay refused. tokens, if not nil, gets the token
// of each invitation made, by row.
func (s *Service) sendBatch(ctx context.Context, b *Batch, tokens map[int]string, progress func(done, total int)) (*Batch, error) {
	lease := b.ClaimedUntil
	made := make(map[int]string)
	var out *Batch
	err := s.inTx(ctx, func(tx *Service) error {
		clear(made)
		var err error
		out, err = tx.st().UpdateBatch(ctx, b.ID, func(locked *Batch) error {
			if locked.State != BatchSending || !locked.ClaimedUntil.Equal(lease) {
				return errBatchClaimLost
			}
			locked.Rows, locked.Lines = b.Rows, b.Lines // they never change
			return tx.sendChunk(ctx, locked, made)
		})
		return err
	})
	if refused, ok := errors.AsType[*rowRefused](err); ok {
		return s.refuseBatch(ctx, b, lease, refused)
	}
	if err != nil {
		return nil, err
	}
	out.Rows, out.Lines = b.Rows, b.Lines
	for i, t := range made {
		if tokens != nil {
			tokens[i] = t
		}
	}
	if progress != nil {
		progress(out.Done, len(out.Rows))
	}
	if out.State == BatchDone {
		_, invalid, sent := out.Counts()
		s.logger.Info("batch of invitations sent", "batch", out.ID, "company", out.CompanyID, "admin", out.AdminID, "sent", sent, "refused", invalid)
	}
	return out, nil
}

// rowRefused stops the send of an all-or-none batch at a row refused as
// it was sent: the transaction rolls back, and refuseBatch settles the
// batch.
type rowRefused struct {
	row int
	err error
}

func (e *rowRefused) Error() string {
	return fmt.Sprintf("invite: row %d of the batch refused: %v", e.row, e.err)
}

// refuseBatch settles an all-or-none batch, claimed until lease, whose
// row r was refused as it was sent: nothing of it was sent; the row has
// its reason, and every other that passed is not sent (ErrBatchNotSent).
func (s *Service) refuseBatch(ctx context.Context, b *Batch, lease time.Time, r *rowRefused) (*Batch, error) {
	out, err := s.st().UpdateBatch(ctx, b.ID, func(locked *Batch) error {
		if locked.State != BatchSending || !locked.ClaimedUntil.Equal(lease) {
			return errBatchClaimLost
		}
		for j := range locked.Outcomes {
			switch {
			case j == r.row:
				locked.Outcomes[j] = outcomeOf(r.err)
			case locked.Outcomes[j].Code == "":
				locked.Outcomes[j] = outcomeOf(ErrBatchNotSent)
			}
		}
		locked.Done, locked.State = len(b.Rows), BatchDone
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Rows, out.Lines = b.Rows, b.Lines
	s.logger.Info("batch of invitations not sent: a row was refused as it was sent", "batch", out.ID, "row", r.row, "reason", ErrorCode(r.err))
	return out, nil
}

// sendChunk sends the next chunk of b's rows through s, which works in
// b's transaction, and records their outcomes in b.
func (s *Service) sendChunk(ctx context.Context, b *Batch, made map[int]string) error {
	now := s.clock()
	settle := func(from int, err error) {
		for i := from; i < len(b.Rows); i++ {
			if b.Outcomes[i].Code == "" {
				b.Outcomes[i] = outcomeOf(err)
			}
		}
		b.Done, b.State = len(b.Rows), BatchDone
	}
	// Sent on the authority of its administrator, as they are now.
	u, err := s.st().User(ctx, b.AdminID)
	switch {
	case errors.Is(err, ErrUserNotFound):
		settle(b.Done, ErrBatchSenderGone)
		return nil
	case err != nil:
		return err
	case u.Disabled() || !administers(u, b.CompanyID):
		// Said as such, where the rows read "Please log in." (found
		// from outside).
		settle(b.Done, ErrBatchSenderGone)
		return nil
	}
	c, err := s.st().Company(ctx, b.CompanyID)
	if err != nil {
		return err
	}
	if b.Done == 0 && b.AllOrNone {
		// All or none: every row again, before the first is sent.
		_, outs, err := s.checkRows(ctx, u, c, b.Rows, b.Lines)
		if err != nil {
			return err
		}
		for i, o := range outs {
			if o.Code != "" || b.Outcomes[i].Code != "" {
				for j := range outs {
					if outs[j].Code == "" && b.Outcomes[j].Code == "" {
						outs[j] = outcomeOf(ErrBatchNotSent)
					} else if outs[j].Code == "" {
						outs[j] = b.Outcomes[j]
					}
				}
				b.Outcomes = outs
				b.Done, b.State = len(b.Rows), BatchDone
				return nil
			}
		}
	}
	mc, err := s.loadMailContext(ctx, &Invitation{CompanyID: c.ID}, c, u)
	if err != nil {
		return err
	}
	presets, err := s.companyPresets(ctx, c.ID)
	if err != nil {
		return err
	}
	// The rows of a batch take seats one by one, held as Invite holds
	// them, before the chunk writes an invitation.
	var seats seatBook
	if limitsSeats(c) {
		if seats, err = s.holdSeats(ctx, c.ID); err != nil {
			return err
		}
	}
	end := min(b.Done+batchChunk, len(b.Rows))
	if b.AllOrNone {
		// All or none is one transaction: a row refused as it is sent
		// (something changed since the check) rolls back the rows before
		// it, where chunks already committed had gone out (found from
		// outside). On SQLite other writes wait for it: some seconds for
		// MaxBatchRows.
		end = len(b.Rows)
	}
	var (
		grants []Grant
		evs    []*Event
	)
	for i := b.Done; i < end; i++ {
		if b.Outcomes[i].Code != "" {
			continue // refused at the dry run: not sent
		}
		inv, err := s.checkRow(ctx, u, c, b.Rows[i], presets)
		if err == nil {
			var token string
			var msg *Message
			token, msg, err = s.stamp(inv, u, mc)
			if err == nil {
				msg.Bulk = true
			}
			if err == nil {
				err = s.takeLimits(ctx, s.rowSending(c.ID, inv.Email)...)
			}
			if err == nil {
				err = seats.take(inv.Grants, nil, forInvitation)
			}
			if err == nil {
				err = s.st().CreateInvitation(ctx, inv, msg)
			}
			if err == nil {
				b.Outcomes[i] = RowOutcome{InvitationID: inv.ID}
				evs = append(evs, sentEvents(EventInvitationCreated, inv, u, msg, map[string]any{"batch": b.ID})...)
				made[i] = token
				grants = append(grants, inv.Grants...)
				continue
			}
		}
		switch ErrorCode(err) {
		case CodeInternal, CodeUnavailable:
			return err // the chunk again, or the call fails
		}
		if errors.Is(err, ErrInvitationPending) {
			err = withField(ErrInvitationPending, "email")
		}
		if b.AllOrNone {
			return &rowRefused{row: i, err: err}
		}
		b.Outcomes[i] = outcomeOf(err)
	}
	if len(made) > 0 {
		if err := s.stillMay(ctx, u, c.ID, grants); err != nil {
			return err
		}
		if err := s.logEvents(ctx, evs...); err != nil {
			return err
		}
		s.queued()
	}
	b.Done = end
	if b.Done == len(b.Rows) {
		b.State = BatchDone
	} else {
		b.ClaimedUntil = now.Add(batchLease)
	}
	return nil
}

// rowSending returns the bounds one row of a batch to email takes from:
// the address's, as any invitation's; the administrator's are the
// batch's (Limits.BatchRows).
func (s *Service) rowSending(companyID int64, email string) []limit {
	to := fmt.Sprintf("%d:%s", companyID, email)
	return []limit{
		{s.limits.Mails, ErrTooManyMails, "mail:" + to},
		{s.limits.DailyMails, ErrTooManyMails, "mail-daily:" + to},
	}
}

// batchResults returns b's outcomes as InviteMany's results, with the
// invitations made (as stored now) and the tokens this call made.
func (s *Service) batchResults(ctx context.Context, b *Batch, tokens map[int]string) ([]RowResult, error) {
	res := make([]RowResult, len(b.Rows))
	for i, o := range b.Outcomes {
		res[i] = RowResult{Index: i, Err: o.Err(), Token: tokens[i]}
		if o.Sent() {
			inv, err := s.st().Invitation(ctx, o.InvitationID)
			if err != nil {
				return nil, err
			}
			res[i].Invitation = inv
		}
	}
	return res, nil
}
