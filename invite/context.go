package invite

import "context"

// actorKey is the context key of the acting user.
type actorKey struct{}

// NewContext returns a copy of ctx that carries u as the acting user. The
// Service takes only u.ID from it: every call that acts loads the user
// again, so that a made-up, stale or disabled user's value grants nothing.
// (Service.SessionContext makes a context whose calls need not.)
func NewContext(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, actorKey{}, u)
}

// FromContext returns the acting user carried by ctx.
func FromContext(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(actorKey{}).(*User)
	return u, ok && u != nil
}

// clientKey is the context key of the client's address.
type clientKey struct{}

// WithClient returns a copy of ctx that carries the address the request
// comes from (an IP address, or any stable name of the client), which the
// bounds on guessing count by. The HTTP layer sets it; without it, every
// request counts as one client's.
func WithClient(ctx context.Context, client string) context.Context {
	return context.WithValue(ctx, clientKey{}, client)
}

func clientOf(ctx context.Context) string {
	c, _ := ctx.Value(clientKey{}).(string)
	return c
}

// loadedKey is the context key of the acting user as a Service loaded them.
type loadedKey struct{}

// instance identifies a Service and the copies it makes of itself. It is
// not of size zero, so that two are never the same pointer.
type instance struct{ _ byte }

// loaded is the acting user as a Service loaded them from its store.
type loaded struct {
	by   *instance
	user User
}

// withLoaded returns a copy of ctx that carries u as the acting user,
// loaded from the store just now by s.
func (s *Service) withLoaded(ctx context.Context, u *User) context.Context {
	ctx = NewContext(ctx, u)
	return context.WithValue(ctx, loadedKey{}, &loaded{by: s.instance, user: *u.clone()})
}

// loadedActor returns the acting user with the given ID if ctx carries
// them as this service loaded them (withLoaded).
func (s *Service) loadedActor(ctx context.Context, id int64) (*User, bool) {
	l, ok := ctx.Value(loadedKey{}).(*loaded)
	if !ok || l.by != s.instance || l.user.ID != id {
		return nil, false
	}
	return l.user.clone(), true
}
