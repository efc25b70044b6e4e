package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// CreateInvitation implements invite.Store.
func (db *DB) CreateInvitation(ctx context.Context, inv *invite.Invitation, msg *invite.Message) error {
	return db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := invitationToRow(inv)
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err // the unique index on pending_email: ErrInvitationPending
		}
		inv.ID = row.ID
		if err := insertInvitationGrants(ctx, tx, inv); err != nil {
			return err
		}
		return enqueue(ctx, tx, inv, msg)
	})
}

// enqueue writes msg, the message of inv, to the outbox, if there is one.
func enqueue(ctx context.Context, tx bun.Tx, inv *invite.Invitation, msg *invite.Message) error {
	if msg == nil {
		return nil
	}
	msg.InvitationID = inv.ID
	row := messageToRow(msg)
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return err
	}
	msg.ID = row.ID
	inv.Delivery = &invite.Delivery{MessageID: msg.ID, Kind: msg.Kind, State: msg.State}
	return nil
}

func insertInvitationGrants(ctx context.Context, idb bun.IDB, inv *invite.Invitation) error {
	if len(inv.Grants) == 0 {
		return nil
	}
	rows := make([]invitationGrantRow, len(inv.Grants))
	for i, g := range inv.Grants {
		rows[i] = invitationGrantRow{InvitationID: inv.ID, CompanyID: inv.CompanyID, SubscriptionID: g.SubscriptionID, Role: string(g.Role)}
	}
	_, err := idb.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// Invitation implements invite.Store.
func (db *DB) Invitation(ctx context.Context, id int64) (*invite.Invitation, error) {
	inv, err := db.invitation(ctx, db.idb(), false, "id = ?", id)
	return inv, translate(err)
}

// InvitationByTokenHash implements invite.Store.
func (db *DB) InvitationByTokenHash(ctx context.Context, hash []byte) (*invite.Invitation, error) {
	inv, err := db.invitation(ctx, db.idb(), false, "token_hash = ?", hash)
	return inv, translate(err)
}

// invitation selects one invitation through idb, locked for update if lock
// is set, and loads its grants.
func (db *DB) invitation(ctx context.Context, idb bun.IDB, lock bool, where string, arg any) (*invite.Invitation, error) {
	row := new(invitationRow)
	q := idb.NewSelect().Model(row).Where(where, arg)
	if lock {
		q = db.forUpdate(q)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, invite.ErrInvitationNotFound)
	}
	invs, err := withGrants(ctx, idb, []*invitationRow{row})
	if err != nil {
		return nil, err
	}
	return invs[0], nil
}

// withGrants converts rows to invitations with their grants, loaded in one
// query and ordered by subscription ID, and the state of their latest
// message.
func withGrants(ctx context.Context, idb bun.IDB, rows []*invitationRow) ([]*invite.Invitation, error) {
	invs := make([]*invite.Invitation, len(rows))
	if len(rows) == 0 {
		return invs, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var grants []invitationGrantRow
	err := idb.NewSelect().Model(&grants).
		Where("invitation_id IN (?)", bun.List(ids)).
		OrderExpr("invitation_id, subscription_id").
		Scan(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64][]invite.Grant, len(rows))
	for _, g := range grants {
		byID[g.InvitationID] = append(byID[g.InvitationID], invite.Grant{SubscriptionID: g.SubscriptionID, Role: invite.Role(g.Role)})
	}
	for i, r := range rows {
		invs[i] = invitationFromRow(r, byID[r.ID])
	}
	return invs, loadDeliveries(ctx, idb, invs, ids)
}

// loadDeliveries sets the Delivery of invs, whose IDs are ids, from their
// latest messages.
func loadDeliveries(ctx context.Context, idb bun.IDB, invs []*invite.Invitation, ids []int64) error {
	latest := idb.NewSelect().Model((*messageRow)(nil)).ColumnExpr("MAX(id)").
		Where("invitation_id IN (?)", bun.List(ids)).Group("invitation_id")
	var msgs []messageRow
	err := idb.NewSelect().Model(&msgs).
		Column("id", "invitation_id", "kind", "state", "attempts", "last_error", "sent_at").
		Where("id IN (?)", latest).
		Scan(ctx)
	if err != nil {
		return err
	}
	byInvitation := make(map[int64]*messageRow, len(msgs))
	for i := range msgs {
		byInvitation[msgs[i].InvitationID] = &msgs[i]
	}
	for _, inv := range invs {
		if m, ok := byInvitation[inv.ID]; ok {
			inv.Delivery = &invite.Delivery{
				MessageID: m.ID, Kind: invite.MessageKind(m.Kind), State: invite.DeliveryState(m.State),
				Attempts: m.Attempts, Error: m.LastError, SentAt: utc(m.SentAt),
			}
		}
	}
	return nil
}

// Invitations implements invite.Store. A page is one statement: each
// invitation comes with its grants, gathered into one column, and the
// state of its latest message, joined by that message's ID.
func (db *DB) Invitations(ctx context.Context, q invite.InvitationQuery) ([]*invite.Invitation, error) {
	var rows []invitationListRow
	grants := "GROUP_CONCAT(CONCAT(g.subscription_id, ':', g.role))"
	if !db.mysql {
		grants = "group_concat(g.subscription_id || ':' || g.role)"
	}
	sel := db.idb().NewSelect().Model(&rows).
		ColumnExpr("invitation_row.*").
		ColumnExpr("(SELECT " + grants + " FROM invitation_subscriptions AS g WHERE g.invitation_id = invitation_row.id) AS grant_list").
		ColumnExpr("m.id AS msg_id, m.kind AS msg_kind, m.state AS msg_state, m.attempts AS msg_attempts, m.last_error AS msg_last_error, m.sent_at AS msg_sent_at").
		Join("LEFT JOIN outbox AS m ON m.id = (SELECT MAX(o.id) FROM outbox AS o WHERE o.invitation_id = invitation_row.id)")
	if q.CompanyID != 0 {
		sel.Where("invitation_row.company_id = ?", q.CompanyID)
	}
	switch q.Status {
	case "":
	case invite.StatusPending:
		sel.Where("invitation_row.status = ? AND invitation_row.expires_at > ?", invite.StatusPending, q.Now)
	case invite.StatusExpired:
		sel.Where("(invitation_row.status = ? OR (invitation_row.status = ? AND invitation_row.expires_at <= ?))", invite.StatusExpired, invite.StatusPending, q.Now)
	default:
		sel.Where("invitation_row.status = ?", q.Status)
	}
	if q.Email != "" {
		sel.Where("invitation_row.email LIKE ? ESCAPE '!'", "%"+escapeLike(q.Email)+"%")
	}
	if q.PendingEmail != "" {
		sel.Where("invitation_row.pending_email = ?", q.PendingEmail)
	}
	if q.SentBy != 0 {
		sel.Where("invitation_row.last_sent_by = ?", q.SentBy)
	}
	if q.After != nil {
		sel.Where("(invitation_row.created_at < ? OR (invitation_row.created_at = ? AND invitation_row.id < ?))", q.After.CreatedAt, q.After.CreatedAt, q.After.ID)
	}
	if q.PendingEmail == "" {
		// A page is read down the index of its order, from the cursor on.
		// MariaDB otherwise may take the company prefix of the index as
		// a ref and read every row above the cursor, which makes a deep
		// page cost its depth; SQLite took the index on status and sorted
		// every pending invitation for each page.
		if q.CompanyID != 0 {
			db.forceIndex(sel, "invitations", "invitation_row", "invitations_company_created_idx")
		} else {
			db.forceIndex(sel, "invitations", "invitation_row", "invitations_created_idx")
		}
	}
	err := sel.OrderExpr("invitation_row.created_at DESC, invitation_row.id DESC").Limit(int64(q.Limit)).Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	invs := make([]*invite.Invitation, len(rows))
	for i := range rows {
		if invs[i], err = rows[i].invitation(); err != nil {
			return nil, err
		}
	}
	return invs, nil
}

// invitationListRow is an invitation as Invitations reads it: with its
// grants as "subscription:role,..." and its latest message, if any.
type invitationListRow struct {
	invitationRow `bun:",extend"`
	GrantList     sql.NullString `bun:"grant_list"`
	MsgID         sql.NullInt64  `bun:"msg_id"`
	MsgKind       sql.NullString `bun:"msg_kind"`
	MsgState      sql.NullString `bun:"msg_state"`
	MsgAttempts   sql.NullInt64  `bun:"msg_attempts"`
	MsgLastError  sql.NullString `bun:"msg_last_error"`
	MsgSentAt     time.Time      `bun:"msg_sent_at,nullzero"`
}

func (r *invitationListRow) invitation() (*invite.Invitation, error) {
	var grants []invite.Grant
	if r.GrantList.String != "" {
		for _, part := range strings.Split(r.GrantList.String, ",") {
			id, role, _ := strings.Cut(part, ":")
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("invitation %d: grant %q: %w", r.ID, part, err)
			}
			grants = append(grants, invite.Grant{SubscriptionID: n, Role: invite.Role(role)})
		}
		slices.SortFunc(grants, func(a, b invite.Grant) int { return cmp.Compare(a.SubscriptionID, b.SubscriptionID) })
	}
	inv := invitationFromRow(&r.invitationRow, grants)
	if r.MsgID.Valid {
		inv.Delivery = &invite.Delivery{
			MessageID: r.MsgID.Int64, Kind: invite.MessageKind(r.MsgKind.String), State: invite.DeliveryState(r.MsgState.String),
			Attempts: int(r.MsgAttempts.Int64), Error: r.MsgLastError.String, SentAt: utc(r.MsgSentAt),
		}
	}
	return inv, nil
}

// escapeLike escapes the LIKE wildcards of s with '!'.
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// UpdateInvitation implements invite.Store.
func (db *DB) UpdateInvitation(ctx context.Context, id int64, update func(*invite.Invitation) (*invite.Message, error)) (*invite.Invitation, error) {
	var out *invite.Invitation
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inv, err := db.invitation(ctx, tx, true, "id = ?", id)
		if err != nil {
			return err
		}
		before := slices.Clone(inv.Grants)
		msg, err := update(inv)
		if err != nil {
			return fromCaller(err)
		}
		out = inv
		if err := saveInvitation(ctx, tx, inv, before); err != nil {
			return err
		}
		return enqueue(ctx, tx, inv, msg)
	})
	return out, err
}

// AcceptInvitation implements invite.Store.
func (db *DB) AcceptInvitation(ctx context.Context, hash []byte, accept func(*invite.Invitation) (*invite.User, error)) (*invite.Invitation, *invite.User, error) {
	var (
		inv *invite.Invitation
		u   *invite.User
	)
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		inv, err = db.invitation(ctx, tx, true, "token_hash = ?", hash)
		if err != nil {
			return err
		}
		before := slices.Clone(inv.Grants)
		if u, err = accept(inv); err != nil {
			return fromCaller(err)
		}
		if u != nil {
			if err := insertUser(ctx, tx, u); err != nil {
				return err
			}
			inv.AcceptedBy = u.ID
		}
		return saveInvitation(ctx, tx, inv, before)
	})
	if err != nil {
		return nil, nil, err
	}
	return inv, u, nil
}

// saveInvitation writes every column of inv and, if they changed from
// before, its grants.
func saveInvitation(ctx context.Context, tx bun.Tx, inv *invite.Invitation, before []invite.Grant) error {
	if _, err := tx.NewUpdate().Model(invitationToRow(inv)).WherePK().Exec(ctx); err != nil {
		return err // the unique index on pending_email: ErrInvitationPending
	}
	if sameGrants(before, inv.Grants) {
		return nil
	}
	if _, err := tx.NewDelete().Model((*invitationGrantRow)(nil)).Where("invitation_id = ?", inv.ID).Exec(ctx); err != nil {
		return err
	}
	return insertInvitationGrants(ctx, tx, inv)
}

// sameGrants reports whether a and b grant the same roles, in any order.
func sameGrants(a, b []invite.Grant) bool {
	if len(a) != len(b) {
		return false
	}
	m := make(map[invite.Grant]int, len(a))
	for _, g := range a {
		m[g]++
	}
	for _, g := range b {
		if m[g] == 0 {
			return false
		}
		m[g]--
	}
	return true
}

// ExpireInvitations implements invite.Store. A row that another instance
// has expired, or that was resent or accepted meanwhile, no longer matches.
//
// The due invitations are found first, by the index on (status,
// expires_at) and without locks, and then marked by their IDs, checking
// again that they are due: one statement that both finds and marks them
// (UPDATE ... ORDER BY ... LIMIT) locks what it reads on its way, and on
// MariaDB held its locks for seconds on a large table; marking by IDs
// locks only the rows it marks, for as long as that takes.
func (db *DB) ExpireInvitations(ctx context.Context, now time.Time, limit int) ([]*invite.Invitation, error) {
	var marked []*invite.Invitation
	err := db.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		marked = nil
		var rows []*invitationRow
		sel := tx.NewSelect().Model(&rows).Column("id", "company_id", "email", "expires_at").
			Where("status = ? AND expires_at <= ?", invite.StatusPending, now).
			OrderExpr("expires_at, id").Limit(int64(limit))
		if db.mysql {
			// Another instance's job takes the rows this one has.
			sel.For("UPDATE SKIP LOCKED")
		}
		if err := sel.Scan(ctx); err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		_, err := tx.NewUpdate().Model((*invitationRow)(nil)).
			Set("status = ?", invite.StatusExpired).
			Set("pending_email = NULL").
			Set("remind_at = NULL").
			Where("id IN (?)", bun.List(ids)).
			Exec(ctx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			marked = append(marked, &invite.Invitation{ID: r.ID, CompanyID: r.CompanyID, Email: r.Email, ExpiresAt: r.ExpiresAt.UTC(), Status: invite.StatusExpired})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return marked, nil
}

// DueReminders implements invite.Store.
func (db *DB) DueReminders(ctx context.Context, now time.Time, limit int) ([]*invite.Invitation, error) {
	var rows []*invitationRow
	err := db.idb().NewSelect().Model(&rows).
		Where("remind_at <= ? AND status = ? AND expires_at > ?", now, invite.StatusPending, now).
		OrderExpr("remind_at, id").Limit(int64(limit)).
		Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	invs, err := withGrants(ctx, db.idb(), rows)
	return invs, translate(err)
}
