package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/invitehq/invite/invite"
)

// CreateUser implements invite.Store.
func (s *Store) CreateUser(ctx context.Context, u *invite.User) error {
	id, err := query(ctx, s, func(d *data) (int64, error) { return d.createUser(u) })
	if err == nil {
		u.ID = id
	}
	return err
}

// createUser stores u as a new user and returns its ID.
func (d *data) createUser(u *invite.User) (int64, error) {
	row := userIn(u)
	row.ID = d.userIDs.next()
	return row.ID, d.putUser(row)
}

// User implements invite.Store.
func (s *Store) User(ctx context.Context, id int64) (*invite.User, error) {
	return query(ctx, s, func(d *data) (*invite.User, error) {
		u, ok := d.users.get(id)
		if !ok {
			return nil, invite.ErrUserNotFound
		}
		return userOut(u), nil
	})
}

// UserByEmail implements invite.Store.
func (s *Store) UserByEmail(ctx context.Context, email string) (*invite.User, error) {
	return query(ctx, s, func(d *data) (*invite.User, error) {
		for _, u := range d.users.rows {
			if u.Email == email {
				return userOut(u), nil
			}
		}
		return nil, invite.ErrUserNotFound
	})
}

// HasUsers implements invite.Store.
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	return query(ctx, s, func(d *data) (bool, error) { return len(d.users.rows) > 0, nil })
}

// Users implements invite.Store. Search matches part of the e-mail
// address, of the first name or of the last name, as package store does.
func (s *Store) Users(ctx context.Context, q invite.UserQuery) ([]*invite.User, error) {
	return query(ctx, s, func(d *data) ([]*invite.User, error) {
		us := ordered(&d.users, func(u invite.User) bool {
			return (q.CompanyID == 0 || u.CompanyID == q.CompanyID) && u.ID > q.After &&
				(q.Search == "" || strings.Contains(u.Email, q.Search) ||
					strings.Contains(strings.ToLower(u.FirstName), q.Search) ||
					strings.Contains(strings.ToLower(u.LastName), q.Search))
		})
		return usersOut(limited(us, q.Limit)), nil
	})
}

// UsersByID implements invite.Store.
func (s *Store) UsersByID(ctx context.Context, ids []int64) ([]*invite.User, error) {
	return query(ctx, s, func(d *data) ([]*invite.User, error) {
		us := usersOut(ordered(&d.users, func(u invite.User) bool { return slices.Contains(ids, u.ID) }))
		for _, u := range us {
			u.Grants = nil
		}
		return us, nil
	})
}

// CompanyAdmins implements invite.Store. Disabled administrators are
// among them; they are ordered by ID.
func (s *Store) CompanyAdmins(ctx context.Context, companyID int64) ([]*invite.User, error) {
	return query(ctx, s, func(d *data) ([]*invite.User, error) {
		return usersOut(ordered(&d.users, func(u invite.User) bool {
			return u.CompanyID == companyID && u.AdminLevel == invite.AdminCompany
		})), nil
	})
}

// GlobalAdmins implements invite.Store, ordered by ID.
func (s *Store) GlobalAdmins(ctx context.Context) ([]*invite.User, error) {
	return query(ctx, s, func(d *data) ([]*invite.User, error) {
		return usersOut(ordered(&d.users, func(u invite.User) bool { return u.AdminLevel == invite.AdminGlobal })), nil
	})
}

// userToChange returns the user with the given ID and the number of
// enabled Company Administrators of their company, as UpdateUser and
// DeleteUser hand them to their callbacks.
func (d *data) userToChange(id int64) (*invite.User, int, error) {
	u, ok := d.users.get(id)
	if !ok {
		return nil, 0, invite.ErrUserNotFound
	}
	admins := 0
	if u.CompanyID != 0 {
		for _, o := range d.users.rows {
			if o.CompanyID == u.CompanyID && o.AdminLevel == invite.AdminCompany && !o.Disabled() {
				admins++
			}
		}
	}
	return userOut(u), admins, nil
}

// UpdateUser implements invite.Store. It returns the user that update
// changed, and saves every field of it but the ID.
func (s *Store) UpdateUser(ctx context.Context, id int64, update func(u *invite.User, admins int) error) (*invite.User, error) {
	return query(ctx, s, func(d *data) (*invite.User, error) {
		u, admins, err := d.userToChange(id)
		if err != nil {
			return nil, err
		}
		if err := update(u, admins); err != nil {
			return nil, err
		}
		row := userIn(u)
		row.ID = id
		return u, d.putUser(row)
	})
}

// DeleteUser implements invite.Store. The invitations the user made or
// sent keep the user's ID, as history.
func (s *Store) DeleteUser(ctx context.Context, id int64, check func(u *invite.User, admins int) error) error {
	return s.do(ctx, func(d *data) error {
		u, admins, err := d.userToChange(id)
		if err != nil {
			return err
		}
		if err := check(u, admins); err != nil {
			return err
		}
		d.deleteUser(id)
		return nil
	})
}

// SetLastLogin implements invite.Store. A user who does not exist is no
// error.
func (s *Store) SetLastLogin(ctx context.Context, userID int64, at time.Time) error {
	return s.do(ctx, func(d *data) error {
		u, ok := d.users.get(userID)
		if !ok {
			return nil
		}
		u.LastLoginAt = utc(at)
		return d.putUser(u)
	})
}

// HoldUser implements invite.Store. A transaction here holds the whole
// store: the user cannot change before it ends.
func (s *Store) HoldUser(ctx context.Context, id int64) (*invite.User, error) {
	return s.User(ctx, id)
}
