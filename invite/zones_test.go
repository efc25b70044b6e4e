package invite_test

import (
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

func TestZones(t *testing.T) {
	var z invite.Zones
	for _, name := range []string{"Europe/Vienna", "Europe/Vienna", "UTC", "America/Sao_Paulo"} {
		got, err := z.Load(name)
		want, werr := time.LoadLocation(name)
		if err != nil || werr != nil || got.String() != want.String() {
			t.Fatalf("Load(%q) = %v, %v; want %v", name, got, err, want)
		}
		at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
		if g, w := at.In(got).Format(time.RFC3339), at.In(want).Format(time.RFC3339); g != w {
			t.Errorf("Load(%q) dates %s as %s, time.LoadLocation as %s", name, at, g, w)
		}
	}
	for _, bad := range []string{"Mars/Olympus", "../../etc/passwd", "Europe/Vienna\x00"} {
		if loc, err := z.Load(bad); err == nil {
			t.Errorf("Load(%q) = %v, want an error", bad, loc)
		}
	}
}
