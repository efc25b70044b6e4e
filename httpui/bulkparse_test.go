package httpui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/invitehq/invite/invite"
)

var bulkCompany = &invite.Company{
	ID:            7,
	BusinessRoles: []invite.BusinessRole{{ID: 10, Name: "Plant Operator"}, {ID: 11, Name: "Maintenance Engineer"}},
	Subscriptions: []invite.Subscription{{ID: 20, Name: "App Designer"}, {ID: 21, Name: "Data Stream Designer"}},
}

func testReader(t *testing.T, def bulkDefaults) *bulkReader {
	t.Helper()
	tx, err := newTexts()
	if err != nil {
		t.Fatal(err)
	}
	return tx.bulkReader(bulkCompany, def)
}

// A file is read whatever its byte order mark, delimiter and header
// language; cells name business roles, subscriptions and roles by name.
func TestReadCSV(t *testing.T) {
	designerAndViewer := []invite.Grant{{SubscriptionID: 20, Role: invite.RoleContributor}, {SubscriptionID: 21, Role: invite.RoleViewer}}
	tests := []struct {
		name string
		file string
		want []bulkRow
	}{
		{"BOMComma", "\uFEFFemail,first_name,last_name,business_role,subscriptions\r\na@example.com,Ada,Lovelace,plant operator,App Designer:Contributor;Data Stream Designer:Viewer\r\n",
			[]bulkRow{{2, invite.InvitationInput{CompanyID: 7, Email: "a@example.com", FirstName: "Ada", LastName: "Lovelace", BusinessRoleID: 10, Grants: designerAndViewer}}}},
		{"Semicolon", "Email;First Name;Last Name;Business Role;Subscriptions;Phone\n\nb@example.com;Bo;Berg;Maintenance Engineer;\"App Designer:Contributor;Data Stream Designer:Viewer\";+49 30 1234567\n",
			[]bulkRow{{3, invite.InvitationInput{CompanyID: 7, Email: "b@example.com", FirstName: "Bo", LastName: "Berg", BusinessRoleID: 11, Phone: "+49 30 1234567", Grants: designerAndViewer}}}},
		{"UnknownNames", "email,business_role,subscriptions,admin,language\nc@example.com,Janitor,Nope:Viewer;App Designer:Boss,maybe,Deutsch\n",
			[]bulkRow{{2, invite.InvitationInput{CompanyID: 7, Email: "c@example.com", BusinessRoleID: -1, AdminLevel: "maybe", Language: "de",
				Grants: []invite.Grant{{SubscriptionID: -1, Role: invite.RoleViewer}, {SubscriptionID: 20, Role: "Boss"}}}}}},
		{"Formula", "email,first_name,last_name\nd@example.com,\"=HYPERLINK(\"\"http://x\"\")\",X\n",
			[]bulkRow{{2, invite.InvitationInput{CompanyID: 7, Email: "d@example.com", FirstName: "=HYPERLINK(\"http://x\")", LastName: "X", BusinessRoleID: 10}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := testReader(t, bulkDefaults{BusinessRoleID: 10}).readCSV([]byte(tc.file))
			if err != nil {
				t.Fatalf("got error %s %v", err.ID, err.Args)
			}
			if !reflect.DeepEqual(rows, tc.want) {
				t.Fatalf("got %+v, want %+v", rows, tc.want)
			}
		})
	}
}

// The header may be in any language the product speaks, as the page
// labels its fields, and roles too.
func TestReadCSVLocalizedHeaders(t *testing.T) {
	tx, err := newTexts()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range invite.Languages() {
		t.Run(lang, func(t *testing.T) {
			f := tx.fixed[lang]
			file := fmt.Sprintf("%s;%s;%s;%s;%s;%s\ne@example.com;Eva;Ek;Plant Operator;App Designer:%s;%s\n",
				f["email_address"], f["first_name"], f["last_name"], f["business_role"], f["subscriptions"], f["time_zone"],
				f["role_administrator"], "Europe/Berlin")
			rows, berr := tx.bulkReader(bulkCompany, bulkDefaults{}).readCSV([]byte(file))
			if berr != nil {
				t.Fatalf("%s: got error %s %v", file, berr.ID, berr.Args)
			}
			want := invite.InvitationInput{CompanyID: 7, Email: "e@example.com", FirstName: "Eva", LastName: "Ek", BusinessRoleID: 10,
				TimeZone: "Europe/Berlin", Grants: []invite.Grant{{SubscriptionID: 20, Role: invite.RoleAdministrator}}}
			if len(rows) != 1 || !reflect.DeepEqual(rows[0].Input, want) {
				t.Fatalf("got %+v, want %+v", rows, want)
			}
		})
	}
}

// The page's defaults fill the cells a row leaves empty, not the others.
func TestReadCSVDefaults(t *testing.T) {
	def := bulkDefaults{BusinessRoleID: 11, Grants: []invite.Grant{{SubscriptionID: 21, Role: invite.RoleViewer}}, Preset: "Field staff", Language: "fr", TimeZone: "Europe/Paris"}
	rows, err := testReader(t, def).readCSV([]byte("email,language,preset\nf@example.com,,\ng@example.com,es,Office\n"))
	if err != nil {
		t.Fatal(err.ID)
	}
	if in := rows[0].Input; in.BusinessRoleID != 11 || in.Language != "fr" || in.TimeZone != "Europe/Paris" || in.Preset != "Field staff" || len(in.Grants) != 1 {
		t.Errorf("row 1: got %+v, want the defaults", in)
	}
	if in := rows[1].Input; in.Language != "es" || in.Preset != "Office" {
		t.Errorf("row 2: got %+v, want its own language and preset", in)
	}
}

// A file that is not what the page reads is refused whole, saying why and
// where.
func TestReadCSVRefused(t *testing.T) {
	many := "email\n" + strings.Repeat("x@example.com\n", 12)
	tests := []struct {
		name, file string
		id         string
		args       []any
	}{
		{"UTF16", "\xff\xfee\x00m\x00", "bulk_err_utf16", nil},
		{"Latin1", "email,first_name\na@example.com,Ann\nb@example.com,J\xf6rg\n", "bulk_err_encoding", []any{"Line", 3}},
		{"Binary", "email\na@example.com\n\x00\x01\x02", "bulk_err_binary", []any{"Line", 3}},
		{"Empty", "", "bulk_err_empty", nil},
		{"HeaderOnly", "email\n", "bulk_err_empty", nil},
		{"UnknownColumn", "email,shoe_size\n", "bulk_err_column", []any{"Column", "shoe_size"}},
		{"ColumnTwice", "email,E-Mail-Adresse\n", "bulk_err_column_twice", []any{"Column", "E-Mail-Adresse"}},
		{"NoEmail", "first_name\nAda\n", "bulk_err_no_email", nil},
		{"ExtraCells", "email\na@example.com,extra\n", "bulk_err_cells", []any{"Line", 2}},
		{"Quote", "email\n\"a@example.com\n", "bulk_err_csv", []any{"Line", 2}},
		{"TooManyRows", many, "bulk_err_rows", []any{"Rows", 12, "Max", 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testReader(t, bulkDefaults{})
			r.maxRows = 10
			rows, err := r.readCSV([]byte(tc.file))
			if err == nil {
				t.Fatalf("got %d rows, want error %s", len(rows), tc.id)
			}
			if err.ID != tc.id || !reflect.DeepEqual(err.Args, tc.args) {
				t.Fatalf("got %s %v, want %s %v", err.ID, err.Args, tc.id, tc.args)
			}
		})
	}
}

// A pasted list takes bare addresses and "Name <address>" forms.
func TestReadList(t *testing.T) {
	rows, err := testReader(t, bulkDefaults{BusinessRoleID: 10}).readList("Grace Brewster Hopper <grace@example.com>\n\n  ada.lovelace@example.com \nbob@example.com\n\"Lin, Mei\" <mei@example.com>\n")
	if err != nil {
		t.Fatal(err.ID)
	}
	want := []struct {
		line        int
		email, f, l string
	}{
		{1, "grace@example.com", "Grace", "Brewster Hopper"},
		{3, "ada.lovelace@example.com", "Ada", "Lovelace"},
		{4, "bob@example.com", "", ""}, // no name to take: refused by the service
		{5, "mei@example.com", "Lin,", "Mei"},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		in := rows[i].Input
		if rows[i].Line != w.line || in.Email != w.email || in.FirstName != w.f || in.LastName != w.l || in.BusinessRoleID != 10 {
			t.Errorf("row %d: got line %d %+v, want %+v", i, rows[i].Line, in, w)
		}
	}
	if _, err := testReader(t, bulkDefaults{}).readList("a@example.com\n\x00"); err == nil || err.ID != "bulk_err_binary" {
		t.Fatalf("NUL in a list: got %v", err)
	}
}

// An export never holds a cell a spreadsheet would run.
func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1 202": "'+1 202", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "Ada": "Ada", "": "",
	} {
		if got := spreadsheetSafe(in); got != want {
			t.Errorf("spreadsheetSafe(%q): got %q, want %q", in, got, want)
		}
	}
}

// A cell of megabytes is kept, and shown, cut to maxCell bytes between
// characters (found from outside: a 7 MB name made a 7 MB page); its row
// is refused as too long all the same.
func TestReadCSVClipsCells(t *testing.T) {
	long := strings.Repeat("é", 2_000_000)
	rows, err := testReader(t, bulkDefaults{BusinessRoleID: 10}).readCSV([]byte("email,first_name\nf@example.com," + long + "\n"))
	if err != nil {
		t.Fatal(err.ID)
	}
	if got := rows[0].Input.FirstName; len(got) > maxCell || !utf8.ValidString(got) || got == "" {
		t.Errorf("kept %d bytes (valid UTF-8: %v), want at most %d", len(got), utf8.ValidString(got), maxCell)
	}
}
