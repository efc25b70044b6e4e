package invite

import (
	"context"
	"slices"
)

// UserName is how a page names a user: their name and e-mail address.
type UserName struct {
	ID    int64
	Name  string // "" if they have none
	Email string
}

// MaxUserNames bounds the IDs of one call of UserNames.
const MaxUserNames = 1000

// UserNames returns the names of the users with the given IDs whom the
// acting administrator may name, by ID, in one read of the store: the
// inviters of a page of invitations, the actors of a page of events. A
// Global Administrator names everybody; a Company Administrator the users
// of their company and the Global Administrators (who invite into it).
// An ID of no such user (deleted, or of another company) is left out.
func (s *Service) UserNames(ctx context.Context, ids []int64) (map[int64]UserName, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	ids = slices.DeleteFunc(ids, func(id int64) bool { return id <= 0 })
	if len(ids) > MaxUserNames {
		var v validator
		v.add("ids", ReasonOutOfRange, "at most %d", MaxUserNames)
		return nil, v.err()
	}
	names := make(map[int64]UserName, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	users, err := s.st().UsersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, o := range users {
		if u.AdminLevel == AdminGlobal || o.CompanyID == u.CompanyID || o.AdminLevel == AdminGlobal {
			names[o.ID] = UserName{ID: o.ID, Name: o.Name(), Email: o.Email}
		}
	}
	return names, nil
}
