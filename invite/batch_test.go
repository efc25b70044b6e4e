package invite

import "testing"

// A cell a spreadsheet would take for a formula is told apart.
func TestFormula(t *testing.T) {
	for in, want := range map[string]bool{
		"=HYPERLINK(\"http://x\")": true, "+1 202 555 0143": true, "-2+3": true, "@SUM(A1)": true,
		"\tx": true, "\rx": true, "": false, "Ada": false, " =x": false, "a=b": false, "ada@example.com": false,
	} {
		if got := Formula(in); got != want {
			t.Errorf("Formula(%q): got %v, want %v", in, got, want)
		}
	}
}

// A row's texts are refused where they start as a formula; a phone
// number's leading + is a phone number's.
func TestRowFormulaFields(t *testing.T) {
	c := &Company{ID: 1}
	s := &Service{}
	for _, tc := range []struct {
		name  string
		in    InvitationInput
		field string
	}{
		{"FirstName", InvitationInput{FirstName: "=1+1"}, "first_name"},
		{"LastName", InvitationInput{LastName: "@x"}, "last_name"},
		{"Department", InvitationInput{Department: "-x"}, "department"},
		{"Email", InvitationInput{Email: "=x@example.com"}, "email"},
		{"PhoneFormula", InvitationInput{Phone: "=1"}, "phone"},
		{"Preset", InvitationInput{Preset: "+x"}, "preset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.checkRow(t.Context(), nil, c, tc.in, nil)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("got %v, want a field error at %s", err, tc.field)
			}
			if f, ok := e.Field(tc.field); !ok || f.Reason != ReasonFormula {
				t.Fatalf("got %+v, want %s at %s", e.Fields, ReasonFormula, tc.field)
			}
		})
	}
}
