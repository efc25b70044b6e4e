package invite

import (
	"sync"
	"time"
)

// Zones loads time zones by IANA name, as time.LoadLocation does, and
// keeps each one it has loaded: reading and parsing a zone's file costs
// more than rendering the message or page that is dated in it. A name
// that does not load is not kept, so what is kept is bounded by the zones
// that exist. The zero Zones is ready to use; it is safe for concurrent
// use.
type Zones struct{ loaded sync.Map } // name → *time.Location

// Load returns the time zone of name.
func (z *Zones) Load(name string) (*time.Location, error) {
	if loc, ok := z.loaded.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	z.loaded.Store(name, loc)
	return loc, nil
}
