package invite

import "context"

// actorKey is the context key of the acting user.
type actorKey struct{}

// NewContext returns a copy of ctx that carries u as the acting user. The
// Service takes only u.ID from it: every call that acts loads the user
// again, so that a made-up, stale or disabled user's value grants nothing.
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
