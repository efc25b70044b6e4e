package invitetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/invitehq/invite/invite"
)

// plantOperator returns a preset of c that sets everything a preset can.
func plantOperator(c *invite.Company, name string) *invite.Preset {
	return &invite.Preset{
		CompanyID:      c.ID,
		Name:           name,
		BusinessRoleID: c.BusinessRoles[0].ID,
		Department:     "Production",
		Language:       "fr",
		TimeZone:       "Europe/Paris",
		AdminLevel:     invite.AdminNone,
		Grants: []invite.Grant{
			{SubscriptionID: c.Subscriptions[1].ID, Role: invite.RoleViewer},
			{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleContributor},
		},
	}
}

// viewerAdmin makes a Company Administrator of c who holds only the
// Viewer role in c's first subscription, and returns their context.
func (f *fixture) viewerAdmin(t testing.TB, c *invite.Company) context.Context {
	t.Helper()
	in := f.Input(c)
	in.AdminLevel = invite.AdminCompany
	in.Grants = []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleViewer}}
	_, token, err := f.Service.Invite(f.Global, in)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	u, err := f.Service.Accept(context.Background(), acceptInput(token))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	return invite.NewContext(context.Background(), u)
}

func presetNames(ps []*invite.Preset) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func testPresets(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	p := plantOperator(f.A, "  Plant Operator ")
	if err := f.Service.CreatePreset(f.AdminA, p); err != nil {
		t.Fatalf("CreatePreset: %v", err)
	}
	if p.ID == 0 || p.Name != "Plant Operator" || p.CreatedAt.IsZero() || !p.UpdatedAt.Equal(p.CreatedAt) {
		t.Fatalf("created %+v", p)
	}
	got, err := f.Service.Preset(f.AdminA, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *p
	want.Grants = []invite.Grant{p.Grants[1], p.Grants[0]} // by subscription
	if fmt.Sprint(*got) != fmt.Sprint(want) || !got.CreatedAt.Equal(p.CreatedAt) {
		t.Errorf("Preset:\n got %+v\nwant %+v", *got, want)
	}
	// A bare preset: only a name.
	bare := &invite.Preset{Name: "apprentice"}
	if err := f.Service.CreatePreset(f.AdminA, bare); err != nil {
		t.Fatalf("CreatePreset(bare): %v", err)
	}
	if bare.CompanyID != f.A.ID || bare.AdminLevel != invite.AdminNone || bare.Grants != nil || bare.Language != "" {
		t.Errorf("bare preset %+v", bare)
	}
	if err := f.Service.CreatePreset(f.Global, plantOperator(f.A, "Maintenance")); err != nil {
		t.Fatal(err)
	}

	t.Run("OrderedByName", func(t *testing.T) {
		ps, err := f.Service.Presets(f.AdminA, f.A.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := presetNames(ps), []string{"apprentice", "Maintenance", "Plant Operator"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if own, err := f.Service.Presets(f.AdminA, 0); err != nil || len(own) != 3 {
			t.Errorf("Presets(0) as a Company Administrator: %d, %v", len(own), err)
		}
		if ps, err := f.Service.Presets(f.AdminB, 0); err != nil || len(ps) != 0 {
			t.Errorf("B's presets: %v, %v", presetNames(ps), err)
		}
	})

	t.Run("ByNameRegardlessOfCase", func(t *testing.T) {
		got, err := f.Service.PresetByName(f.AdminA, f.A.ID, " PLANT operator")
		if err != nil || got.ID != p.ID {
			t.Fatalf("PresetByName: %v, %v", got, err)
		}
		_, err = f.Service.PresetByName(f.AdminA, f.A.ID, "Plant")
		wantErr(t, err, invite.ErrPresetNotFound)
		_, err = f.Service.PresetByName(f.AdminB, f.A.ID, "Plant Operator")
		wantErr(t, err, invite.ErrCompanyNotFound)
	})

	t.Run("ErrPresetExists", func(t *testing.T) {
		err := f.Service.CreatePreset(f.AdminA, &invite.Preset{Name: "PLANT OPERATOR"})
		wantErr(t, err, invite.ErrPresetExists)
		wantField(t, err, "name", "preset_exists")
		// Another company may have the name.
		if err := f.Service.CreatePreset(f.AdminB, &invite.Preset{Name: "Plant Operator"}); err != nil {
			t.Errorf("B's Plant Operator: %v", err)
		}
		// Renaming onto another's name neither.
		b := *bare
		b.Name = "maintenance"
		wantField(t, f.Service.UpdatePreset(f.AdminA, &b), "name", "preset_exists")
		if still, _ := f.Service.Preset(f.AdminA, bare.ID); still.Name != "apprentice" {
			t.Errorf("the refused rename was saved: %q", still.Name)
		}
	})

	t.Run("Update", func(t *testing.T) {
		f.Clock.Add(1e9)
		ch := *p
		ch.Name, ch.Department, ch.Language, ch.TimeZone = "Plant operator", "", "pt-br", ""
		ch.Grants = []invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleAdministrator}}
		ch.AdminLevel = invite.AdminCompany
		ch.CompanyID = f.B.ID // ignored: a preset stays in its company
		if err := f.Service.UpdatePreset(f.AdminA, &ch); err != nil {
			t.Fatalf("UpdatePreset: %v", err)
		}
		got, err := f.Service.Preset(f.AdminA, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Plant operator" || got.Department != "" || got.Language != "pt-BR" || got.TimeZone != "" ||
			got.CompanyID != f.A.ID || got.AdminLevel != invite.AdminCompany || len(got.Grants) != 1 ||
			got.Grants[0].Role != invite.RoleAdministrator || !got.CreatedAt.Equal(p.CreatedAt) || !got.UpdatedAt.After(p.CreatedAt) {
			t.Errorf("after UpdatePreset: %+v", got)
		}
		wantErr(t, f.Service.UpdatePreset(f.AdminA, &invite.Preset{ID: 1 << 40, Name: "x"}), invite.ErrPresetNotFound)
		// Saved again as it is, at the same moment: nothing changes, and
		// that is no error (MySQL counts no row changed).
		same := *got
		if err := f.Service.UpdatePreset(f.AdminA, &same); err != nil {
			t.Errorf("UpdatePreset without a change: %v", err)
		}
	})

	t.Run("CompanyIsolation", func(t *testing.T) {
		_, err := f.Service.Preset(f.AdminB, p.ID)
		wantErr(t, err, invite.ErrPresetNotFound)
		_, err = f.Service.Presets(f.AdminB, f.A.ID)
		wantErr(t, err, invite.ErrCompanyNotFound)
		wantErr(t, f.Service.CreatePreset(f.AdminB, &invite.Preset{CompanyID: f.A.ID, Name: "Spy"}), invite.ErrCompanyNotFound)
		wantErr(t, f.Service.UpdatePreset(f.AdminB, &invite.Preset{ID: p.ID, Name: "Spy"}), invite.ErrPresetNotFound)
		wantErr(t, f.Service.DeletePreset(f.AdminB, p.ID), invite.ErrPresetNotFound)
		// B's subscriptions and business roles are not A's.
		other := plantOperator(f.B, "Mixed")
		other.CompanyID = f.A.ID
		err = f.Service.CreatePreset(f.Global, other)
		wantField(t, err, "business_role", invite.ReasonUnknownBusinessRole)
		wantField(t, err, "grants[0].subscription", invite.ReasonUnknownSubscription)
		member := invite.NewContext(context.Background(), f.Member(t, f.A, invite.AdminNone))
		_, err = f.Service.Presets(member, f.A.ID)
		wantErr(t, err, invite.ErrForbidden)
		wantErr(t, f.Service.CreatePreset(member, &invite.Preset{Name: "Mine"}), invite.ErrForbidden)
		_, err = f.Service.Presets(context.Background(), f.A.ID)
		wantErr(t, err, invite.ErrUnauthorized)
	})

	t.Run("Delete", func(t *testing.T) {
		if err := f.Service.DeletePreset(f.AdminA, bare.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.Service.Preset(f.AdminA, bare.ID)
		wantErr(t, err, invite.ErrPresetNotFound)
		wantErr(t, f.Service.DeletePreset(f.AdminA, bare.ID), invite.ErrPresetNotFound)
		// Its name is free again.
		if err := f.Service.CreatePreset(f.AdminA, &invite.Preset{Name: "Apprentice"}); err != nil {
			t.Errorf("the name of a deleted preset: %v", err)
		}
	})
}

// Bad input is a field error, and nothing is written.
func testPresetInvalidInput(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	long := strings.Repeat("x", invite.MaxNameLen+1)
	cases := []struct {
		name   string
		change func(p *invite.Preset)
		field  string
		reason string
	}{
		{"NoName", func(p *invite.Preset) { p.Name = "  " }, "name", invite.ReasonRequired},
		{"LongName", func(p *invite.Preset) { p.Name = long }, "name", invite.ReasonTooLong},
		{"ControlInName", func(p *invite.Preset) { p.Name = "a\x07b" }, "name", invite.ReasonInvalidCharacters},
		{"LongDepartment", func(p *invite.Preset) { p.Department = strings.Repeat("d", invite.MaxTextLen+1) }, "department", invite.ReasonTooLong},
		{"Language", func(p *invite.Preset) { p.Language = "xx" }, "language", invite.ReasonUnsupportedLanguage},
		{"TimeZone", func(p *invite.Preset) { p.TimeZone = "Mars/Olympus" }, "time_zone", invite.ReasonUnknownTimeZone},
		{"BusinessRole", func(p *invite.Preset) { p.BusinessRoleID = 1 << 40 }, "business_role", invite.ReasonUnknownBusinessRole},
		{"AdminLevel", func(p *invite.Preset) { p.AdminLevel = invite.AdminGlobal }, "admin_level", invite.ReasonInvalidAdminLevel},
		{"Subscription", func(p *invite.Preset) { p.Grants[0].SubscriptionID = 1 << 40 }, "grants[0].subscription", invite.ReasonUnknownSubscription},
		{"TwiceSubscribed", func(p *invite.Preset) { p.Grants[1].SubscriptionID = p.Grants[0].SubscriptionID }, "grants[1].subscription", invite.ReasonDuplicate},
		{"Role", func(p *invite.Preset) { p.Grants[0].Role = "owner" }, "grants[0].role", invite.ReasonInvalidRole},
	}
	existing := plantOperator(f.A, "Existing")
	if err := f.Service.CreatePreset(f.AdminA, existing); err != nil {
		t.Fatal(err)
	}
	stored, err := f.Service.Preset(f.AdminA, existing.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := plantOperator(f.A, "Bad "+tc.name)
			tc.change(p)
			wantField(t, f.Service.CreatePreset(f.AdminA, p), tc.field, tc.reason)
			u := plantOperator(f.A, "Existing")
			u.ID = existing.ID
			tc.change(u)
			wantField(t, f.Service.UpdatePreset(f.AdminA, u), tc.field, tc.reason)
			if got, _ := f.Service.Preset(f.AdminA, existing.ID); fmt.Sprint(*got) != fmt.Sprint(*stored) {
				t.Errorf("a refused update was saved: %+v", got)
			}
		})
	}
	if ps, err := f.Service.Presets(f.AdminA, 0); err != nil || len(ps) != 1 {
		t.Errorf("refused presets were stored: %v, %v", presetNames(ps), err)
	}
}

// A preset cannot grant above what its maker may grant, and using one
// grants nothing by itself: the invitation made from it is checked as any.
func testPresetGrantsNothing(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	low := f.viewerAdmin(t, f.A)

	// A Company Administrator holding Viewer cannot make or edit a
	// preset above that.
	high := plantOperator(f.A, "Engineer")
	high.Grants = []invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleAdministrator}}
	wantField(t, f.Service.CreatePreset(low, high), "grants[0].role", invite.ReasonAboveOwnRole)
	mine := &invite.Preset{Name: "Viewer", Grants: []invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleViewer}}}
	if err := f.Service.CreatePreset(low, mine); err != nil {
		t.Fatalf("a preset within their own roles: %v", err)
	}
	up := *mine
	up.Grants = []invite.Grant{{SubscriptionID: f.A.Subscriptions[1].ID, Role: invite.RoleViewer}} // holds none there
	wantField(t, f.Service.UpdatePreset(low, &up), "grants[0].role", invite.ReasonAboveOwnRole)

	// The Global Administrator's preset grants what they may not.
	if err := f.Service.CreatePreset(f.Global, high); err != nil {
		t.Fatal(err)
	}
	// They see it, but may neither change nor delete it.
	if _, err := f.Service.Preset(low, high.ID); err != nil {
		t.Fatalf("Preset: %v", err)
	}
	edit := *high
	edit.Grants = []invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleViewer}}
	wantErr(t, f.Service.UpdatePreset(low, &edit), invite.ErrPresetAboveYou)
	wantErr(t, f.Service.DeletePreset(low, high.ID), invite.ErrPresetAboveYou)

	// Used by them, it fills the invitation, which is refused as any
	// invitation granting above them: the normal field error.
	in := invite.InvitationInput{Email: "operator@example.com", FirstName: "Olga", LastName: "Operator"}
	p, err := f.Service.PresetByName(low, 0, "engineer")
	if err != nil {
		t.Fatal(err)
	}
	p.Fill(&in)
	_, _, err = f.Service.Invite(low, in)
	wantField(t, err, "grants[0].role", invite.ReasonAboveOwnRole)
	if n := f.invitations(t, invitationTo("operator@example.com")); n != 0 {
		t.Fatalf("the refused invitation was stored")
	}
	// The same filled input is fine for an administrator who holds the role.
	inv, _, err := f.Service.Invite(f.AdminA, in)
	if err != nil {
		t.Fatalf("Invite from a preset: %v", err)
	}
	if inv.BusinessRoleID != high.BusinessRoleID || inv.Department != "Production" || inv.Language != "fr" ||
		inv.TimeZone != "Europe/Paris" || fmt.Sprint(inv.Grants) != fmt.Sprint(high.Grants) {
		t.Errorf("invitation from the preset: %+v", inv)
	}
}

// Fill sets what is empty and keeps what was given.
func testPresetFill(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	p := plantOperator(f.A, "Plant Operator")
	if err := f.Service.CreatePreset(f.AdminA, p); err != nil {
		t.Fatal(err)
	}
	given := []invite.Grant{{SubscriptionID: f.A.Subscriptions[0].ID, Role: invite.RoleViewer}}
	cases := []struct {
		name string
		in   invite.InvitationInput
		want invite.InvitationInput
	}{
		{"Empty", invite.InvitationInput{Email: "a@example.com"}, invite.InvitationInput{
			CompanyID: f.A.ID, Email: "a@example.com", BusinessRoleID: p.BusinessRoleID, Department: "Production",
			Language: "fr", TimeZone: "Europe/Paris", AdminLevel: invite.AdminNone, Grants: p.Grants}},
		{"ExplicitWins", invite.InvitationInput{CompanyID: f.A.ID, BusinessRoleID: f.A.BusinessRoles[1].ID, Department: "QA",
			Language: "de", TimeZone: "UTC", AdminLevel: invite.AdminCompany, Grants: given}, invite.InvitationInput{
			CompanyID: f.A.ID, BusinessRoleID: f.A.BusinessRoles[1].ID, Department: "QA",
			Language: "de", TimeZone: "UTC", AdminLevel: invite.AdminCompany, Grants: given}},
		{"BlankIsEmpty", invite.InvitationInput{Department: "  ", Language: " "}, invite.InvitationInput{
			CompanyID: f.A.ID, BusinessRoleID: p.BusinessRoleID, Department: "Production",
			Language: "fr", TimeZone: "Europe/Paris", AdminLevel: invite.AdminNone, Grants: p.Grants}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			p.Fill(&in)
			if fmt.Sprint(in) != fmt.Sprint(tc.want) {
				t.Errorf("got  %+v\nwant %+v", in, tc.want)
			}
		})
	}
	// The input's grants are its own: changing them leaves the preset.
	var in invite.InvitationInput
	p.Fill(&in)
	in.Grants[0].Role = invite.RoleAdministrator
	if p.Grants[0].Role == invite.RoleAdministrator {
		t.Errorf("Fill shares the preset's grants")
	}
}

// Many administrators naming presets at once: one name is made once.
func testConcurrentPresets(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	errs := Parallel(16, func(i int) error {
		name := "Plant Operator"
		if i%2 == 1 {
			name = strings.ToUpper(name)
		}
		ctx := f.AdminA
		if i%3 == 0 {
			ctx = f.Global
		}
		return f.Service.CreatePreset(ctx, plantOperator(f.A, name))
	})
	if got := Tally(errs); got[""] != 1 || got["preset_exists"] != 15 {
		t.Errorf("got outcomes %v, want 1 success and 15 preset_exists", got)
	}
	// Renames racing onto one name: one wins.
	var ids []int64
	for i := range 8 {
		p := &invite.Preset{Name: fmt.Sprintf("Preset %d", i)}
		if err := f.Service.CreatePreset(f.AdminA, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	errs = Parallel(len(ids), func(i int) error {
		return f.Service.UpdatePreset(f.AdminA, &invite.Preset{ID: ids[i], Name: "Shift Lead"})
	})
	if got := Tally(errs); got[""] != 1 || got["preset_exists"] != len(ids)-1 {
		t.Errorf("renames: got outcomes %v, want 1 success and %d preset_exists", got, len(ids)-1)
	}
	// Deletes racing: one deletes, the others find none.
	errs = Parallel(8, func(int) error { return f.Service.DeletePreset(f.Global, ids[0]) })
	if got := Tally(errs); got[""] != 1 || got["preset_not_found"] != 7 {
		t.Errorf("deletes: got outcomes %v, want 1 success and 7 preset_not_found", got)
	}
	ps, err := f.Service.Presets(f.Global, f.A.ID)
	if err != nil || len(ps) != 1+len(ids)-1 {
		t.Errorf("got %d presets (%v), want %d", len(ps), err, len(ids))
	}
}

// Preset names a reader cannot tell apart in a list are one name: inner
// spaces and fullwidth letters (found from outside).
func testPresetNamesOneSpelling(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	if err := f.Service.CreatePreset(f.AdminA, &invite.Preset{CompanyID: f.A.ID, Name: "  Plant   Operator "}); err != nil {
		t.Fatalf("CreatePreset: %v", err)
	}
	for _, name := range []string{"Plant Operator", "plant  operator", "Ｐlant Operator"} {
		err := f.Service.CreatePreset(f.AdminA, &invite.Preset{CompanyID: f.A.ID, Name: name})
		wantErr(t, err, invite.ErrPresetExists)
	}
	ps, err := f.Service.Presets(f.AdminA, f.A.ID)
	if err != nil || len(ps) != 1 || ps[0].Name != "Plant Operator" {
		t.Fatalf("Presets: %+v, %v; want one, Plant Operator", ps, err)
	}
}
