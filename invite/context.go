package invite

import "context"

// actorKey is the context key of the acting user.
type actorKey struct{}

// NewContext returns a copy of ctx that carries u as the acting user.
func NewContext(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, actorKey{}, u)
}

// FromContext returns the acting user carried by ctx.
func FromContext(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(actorKey{}).(*User)
	return u, ok && u != nil
}
