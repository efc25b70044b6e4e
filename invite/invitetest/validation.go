package invitetest

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/invitehq/invite/invite"
)

// Bad input in any field returns a field error and writes nothing.
func testInviteInvalidInput(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	long := strings.Repeat("x", 101)
	tests := []struct {
		name   string
		change func(in *invite.InvitationInput)
		field  string
		reason string
	}{
		{"EmailEmpty", func(in *invite.InvitationInput) { in.Email = "  " }, "email", invite.ReasonRequired},
		{"EmailTooLong", func(in *invite.InvitationInput) { in.Email = strings.Repeat("a", 250) + "@example.com" }, "email", invite.ReasonTooLong},
		{"EmailNotUTF8", func(in *invite.InvitationInput) { in.Email = "a\xff@example.com" }, "email", invite.ReasonInvalidUTF8},
		{"EmailNoAt", func(in *invite.InvitationInput) { in.Email = "grace.example.com" }, "email", invite.ReasonInvalidEmail},
		{"EmailNoDomainDot", func(in *invite.InvitationInput) { in.Email = "grace@localhost" }, "email", invite.ReasonInvalidEmail},
		{"EmailDisplayName", func(in *invite.InvitationInput) { in.Email = "Grace <grace@example.com>" }, "email", invite.ReasonInvalidEmail},
		{"EmailTwoAddresses", func(in *invite.InvitationInput) { in.Email = "a@example.com, b@example.com" }, "email", invite.ReasonInvalidEmail},
		{"EmailLocalTooLong", func(in *invite.InvitationInput) { in.Email = strings.Repeat("a", 65) + "@example.com" }, "email", invite.ReasonInvalidEmail},
		{"FirstNameEmpty", func(in *invite.InvitationInput) { in.FirstName = "" }, "first_name", invite.ReasonRequired},
		{"FirstNameTooLong", func(in *invite.InvitationInput) { in.FirstName = long }, "first_name", invite.ReasonTooLong},
		{"FirstNameNotUTF8", func(in *invite.InvitationInput) { in.FirstName = "Gr\xc3\x28ce" }, "first_name", invite.ReasonInvalidUTF8},
		{"FirstNameControl", func(in *invite.InvitationInput) { in.FirstName = "Gr\nace" }, "first_name", invite.ReasonInvalidCharacters},
		{"LastNameEmpty", func(in *invite.InvitationInput) { in.LastName = "\t" }, "last_name", invite.ReasonRequired},
		{"LastNameTooLong", func(in *invite.InvitationInput) { in.LastName = strings.Repeat("é", 101) }, "last_name", invite.ReasonTooLong},
		{"LastNameNotUTF8", func(in *invite.InvitationInput) { in.LastName = "\xff" }, "last_name", invite.ReasonInvalidUTF8},
		{"DepartmentTooLong", func(in *invite.InvitationInput) { in.Department = long }, "department", invite.ReasonTooLong},
		{"DepartmentNotUTF8", func(in *invite.InvitationInput) { in.Department = "\xfe" }, "department", invite.ReasonInvalidUTF8},
		{"PhoneNotInternational", func(in *invite.InvitationInput) { in.Phone = "030 901820" }, "phone", invite.ReasonInvalidPhone},
		{"PhoneInvalid", func(in *invite.InvitationInput) { in.Phone = "+1 555" }, "phone", invite.ReasonInvalidPhone},
		{"PhoneLetters", func(in *invite.InvitationInput) { in.Phone = "+49 call me" }, "phone", invite.ReasonInvalidPhone},
		{"PhoneTooLong", func(in *invite.InvitationInput) { in.Phone = "+" + strings.Repeat("1", 40) }, "phone", invite.ReasonTooLong},
		{"LanguageUnsupported", func(in *invite.InvitationInput) { in.Language = "ja" }, "language", invite.ReasonUnsupportedLanguage},
		{"LanguageGarbage", func(in *invite.InvitationInput) { in.Language = "not a tag" }, "language", invite.ReasonUnsupportedLanguage},
		{"TimeZoneUnknown", func(in *invite.InvitationInput) { in.TimeZone = "Europe/Atlantis" }, "time_zone", invite.ReasonUnknownTimeZone},
		{"TimeZoneLocal", func(in *invite.InvitationInput) { in.TimeZone = "Local" }, "time_zone", invite.ReasonUnknownTimeZone},
		{"TimeZonePath", func(in *invite.InvitationInput) { in.TimeZone = "../../etc/passwd" }, "time_zone", invite.ReasonUnknownTimeZone},
		{"BusinessRoleMissing", func(in *invite.InvitationInput) { in.BusinessRoleID = 0 }, "business_role", invite.ReasonRequired},
		{"BusinessRoleForeign", func(in *invite.InvitationInput) { in.BusinessRoleID = f.B.BusinessRoles[0].ID }, "business_role", invite.ReasonUnknownBusinessRole},
		{"GrantsEmpty", func(in *invite.InvitationInput) { in.Grants = nil }, "grants", invite.ReasonRequired},
		{"GrantForeignSubscription", func(in *invite.InvitationInput) { in.Grants[1].SubscriptionID = f.B.Subscriptions[0].ID }, "grants[1].subscription", invite.ReasonUnknownSubscription},
		{"GrantDuplicate", func(in *invite.InvitationInput) { in.Grants[1].SubscriptionID = in.Grants[0].SubscriptionID }, "grants[1].subscription", invite.ReasonDuplicate},
		{"GrantRole", func(in *invite.InvitationInput) { in.Grants[0].Role = "owner" }, "grants[0].role", invite.ReasonInvalidRole},
		{"AdminLevel", func(in *invite.InvitationInput) { in.AdminLevel = "root" }, "admin_level", invite.ReasonInvalidAdminLevel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.invitations(t, nil)
			in := f.Input(f.A)
			tt.change(&in)
			_, _, err := f.Service.Invite(f.AdminA, in)
			wantErr(t, err, invite.ErrInvalidInput)
			wantField(t, err, tt.field, tt.reason)
			if after := f.invitations(t, nil); after != before {
				t.Errorf("invitations: got %d, want %d (nothing written)", after, before)
			}
		})
	}
	t.Run("EveryFieldAtOnce", func(t *testing.T) {
		_, _, err := f.Service.Invite(f.AdminA, invite.InvitationInput{Phone: "12", Language: "xx", TimeZone: "Nowhere"})
		for _, field := range []string{"email", "first_name", "last_name", "phone", "language", "time_zone", "grants", "business_role"} {
			if _, ok := err.(*invite.Error).Field(field); !ok {
				t.Errorf("no error at %s in %v", field, err)
			}
		}
	})
	t.Run("Normalized", func(t *testing.T) {
		in := f.Input(f.A)
		in.Email, in.FirstName, in.Language, in.TimeZone, in.Phone = "  Mixed.Case@Example.COM ", "  Grace  ", "PT-br", "", "+49 (30) 901820"
		inv, _, err := f.Service.Invite(f.AdminA, in)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Email != "mixed.case@example.com" || inv.FirstName != "Grace" || inv.Language != "pt-BR" ||
			inv.TimeZone != "Europe/Berlin" || inv.Phone != "+4930901820" {
			t.Errorf("got %q %q %q %q %q", inv.Email, inv.FirstName, inv.Language, inv.TimeZone, inv.Phone)
		}
	})
}

func testRegisterCompany(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	t.Run("OK", func(t *testing.T) {
		c, err := f.Service.RegisterCompany(f.Global, invite.CompanyInput{
			Name: "Ünïcode Works", Subscriptions: []string{"App Designer"}, BusinessRoles: []string{"Operator", "Engineer"},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.Service.Company(f.Global, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Ünïcode Works" || got.DefaultLanguage != "en" || got.TimeZone != "UTC" ||
			len(got.Subscriptions) != 1 || len(got.BusinessRoles) != 2 || got.BusinessRoles[1].Name != "Engineer" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("ErrCompanyExists", func(t *testing.T) {
		_, err := f.Service.RegisterCompany(f.Global, invite.CompanyInput{Name: "ACME", Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}})
		wantErr(t, err, invite.ErrCompanyExists)
		wantField(t, err, "name", "company_exists")
	})
	t.Run("ErrInvalidInput", func(t *testing.T) {
		before := f.companies(t)
		tests := []struct {
			in     invite.CompanyInput
			field  string
			reason string
		}{
			{invite.CompanyInput{Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}}, "name", invite.ReasonRequired},
			{invite.CompanyInput{Name: "\xff", Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}}, "name", invite.ReasonInvalidUTF8},
			{invite.CompanyInput{Name: "N", BusinessRoles: []string{"R"}}, "subscriptions", invite.ReasonRequired},
			{invite.CompanyInput{Name: "N", Subscriptions: []string{"S", "s"}, BusinessRoles: []string{"R"}}, "subscriptions[1]", invite.ReasonDuplicate},
			{invite.CompanyInput{Name: "N", Subscriptions: []string{"S", ""}, BusinessRoles: []string{"R"}}, "subscriptions[1]", invite.ReasonRequired},
			{invite.CompanyInput{Name: "N", Subscriptions: []string{"S"}}, "business_roles", invite.ReasonRequired},
			{invite.CompanyInput{Name: "N", Subscriptions: []string{"S"}, BusinessRoles: []string{strings.Repeat("r", 101)}}, "business_roles[0]", invite.ReasonTooLong},
			{invite.CompanyInput{Name: "N", DefaultLanguage: "it", Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}}, "default_language", invite.ReasonUnsupportedLanguage},
			{invite.CompanyInput{Name: "N", TimeZone: "Berlin", Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}}, "time_zone", invite.ReasonUnknownTimeZone},
		}
		for _, tt := range tests {
			_, err := f.Service.RegisterCompany(f.Global, tt.in)
			wantField(t, err, tt.field, tt.reason)
		}
		if after := f.companies(t); after != before {
			t.Errorf("companies: got %d, want %d (nothing written)", after, before)
		}
	})
}

func testBootstrap(t *testing.T, open Opener) {
	db := open(t)
	svc := invite.NewService(db, invite.Config{})
	ctx := t.Context()
	_, _, err := svc.Bootstrap(ctx, "admin@example.com", "short")
	wantField(t, err, "password", invite.ReasonPasswordTooShort)
	u, created, err := svc.Bootstrap(ctx, "Admin@Example.com", Password)
	if err != nil || !created || u.AdminLevel != invite.AdminGlobal || u.CompanyID != 0 {
		t.Fatalf("Bootstrap: got %+v, %v, %v; want a new Global Administrator", u, created, err)
	}
	_, created, err = svc.Bootstrap(ctx, "other@example.com", Password)
	if err != nil || created {
		t.Fatalf("second Bootstrap: got created %v, %v; want nothing done", created, err)
	}
	if _, err := svc.Authenticate(ctx, "ADMIN@example.com", Password); err != nil {
		t.Errorf("Authenticate ignores case of the address: %v", err)
	}
}

// Instances starting together on one empty database make one
// administrator, given one address or each its own (found from outside:
// eight addresses made eight).
func testConcurrentBootstrap(t *testing.T, open Opener) {
	for name, email := range map[string]func(i int) string{
		"OneAddress": func(int) string { return "admin@example.com" },
		"EachItsOwn": func(i int) string { return fmt.Sprintf("admin%d@example.com", i) },
	} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			svc := invite.NewService(db, invite.Config{})
			created := make([]bool, 8)
			errs := Parallel(8, func(i int) error {
				var err error
				_, created[i], err = svc.Bootstrap(t.Context(), email(i), Password)
				return err
			})
			if got := Tally(errs); got[""] != 8 {
				t.Fatalf("got outcomes %v, want 8 successes", got)
			}
			if n := count(created, func(c bool) bool { return c }); n != 1 {
				t.Errorf("%d calls created an administrator, want 1", n)
			}
			users, err := db.Users(t.Context(), invite.UserQuery{Limit: all})
			if err != nil || len(users) != 1 {
				t.Errorf("%d users, %v; want 1", len(users), err)
			}
		})
	}
}

// Resending with an invitation's own Input changes nothing but what the
// caller changes in it, the invitation's own e-mail template included.
func testResendFromInput(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	in := f.Input(f.A)
	in.Department, in.Phone, in.TimeZone = "Research", "+49 30 901820", "Europe/Berlin"
	in.Mail = invite.Template{Subject: "Own {FirstName}", Body: "Own body {InvitationLink}"}
	inv, _, err := f.Service.Invite(f.Global, in)
	if err != nil {
		t.Fatal(err)
	}
	change := inv.Input()
	change.LastName = "Changed"
	resent, _, err := f.Service.Resend(f.Global, inv.ID, &change)
	if err != nil {
		t.Fatal(err)
	}
	want := *inv
	want.LastName = "Changed"
	got := *resent
	if got.LastName != "Changed" || got.Department != want.Department || got.Phone != "+4930901820" || got.TimeZone != want.TimeZone ||
		got.Mail != want.Mail || got.BusinessRoleID != want.BusinessRoleID || !reflect.DeepEqual(got.Grants, want.Grants) {
		t.Errorf("resent\n%+v\nwant the details of\n%+v", got, want)
	}
}

// A company is found by its name in any case, by those who administer it.
func testCompanyByName(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	for _, name := range []string{"Acme", "ACME", " acme "} {
		if c, err := f.Service.CompanyByName(f.Global, name); err != nil || c.ID != f.A.ID {
			t.Errorf("CompanyByName(%q): %v, %v; want Acme", name, c, err)
		}
	}
	_, err := f.Service.CompanyByName(f.Global, "Acme Corp")
	wantErr(t, err, invite.ErrCompanyNotFound)
	_, err = f.Service.CompanyByName(f.AdminA, "Bolt")
	wantErr(t, err, invite.ErrCompanyNotFound)
	if c, err := f.Service.CompanyByName(f.AdminB, "bolt"); err != nil || c.ID != f.B.ID {
		t.Errorf("CompanyByName by B's administrator: %v, %v", c, err)
	}
}

// CompanyNames names the companies asked for that the administrator
// administers, and leaves out the rest and IDs of no company.
func testCompanyNames(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ids := []int64{f.B.ID, f.A.ID, f.A.ID, f.B.ID + 1000}
	tests := []struct {
		name string
		ctx  context.Context
		want map[int64]string
	}{
		{"Global", f.Global, map[int64]string{f.A.ID: "Acme", f.B.ID: "Bolt"}},
		{"CompanyAdmin", f.AdminA, map[int64]string{f.A.ID: "Acme"}},
	}
	for _, tt := range tests {
		got, err := f.Service.CompanyNames(tt.ctx, ids)
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("%s: CompanyNames(%v) = %v, %v; want %v", tt.name, ids, got, err, tt.want)
		}
	}
	if got, err := f.Service.CompanyNames(f.Global, nil); err != nil || len(got) != 0 {
		t.Errorf("CompanyNames(nil) = %v, %v; want none", got, err)
	}
	member := invite.NewContext(t.Context(), f.Member(t, f.A, invite.AdminNone))
	_, err := f.Service.CompanyNames(member, ids)
	wantErr(t, err, invite.ErrForbidden)
}

// Found from outside: "Café" written as one character and as "e" with an
// accent made two companies that look the same. Names are kept in NFC.
func testCompanyNamesOneSpelling(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	in := invite.CompanyInput{Name: "Caf\u00e9", Subscriptions: []string{"S"}, BusinessRoles: []string{"R"}}
	c, err := f.Service.RegisterCompany(f.Global, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Name = "Cafe\u0301"
	_, err = f.Service.RegisterCompany(f.Global, in)
	wantErr(t, err, invite.ErrCompanyExists)
	if got, err := f.Service.CompanyByName(f.Global, "CAFE\u0301"); err != nil || got.ID != c.ID {
		t.Errorf("CompanyByName in the other spelling: %v, %v", got, err)
	}
}
