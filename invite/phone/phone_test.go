package phone_test

import (
	"testing"

	"github.com/invitehq/invite/invite/phone"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"+4930901820", "+4930901820", true},
		{"+12025550143", "+12025550143", true},
		{"+442079460958", "+442079460958", true},
		{"+999123456", "", false},              // no such country code
		{"+1555", "", false},                   // too short for the plan
		{"+4920202002000000", "", false},       // too long for the plan
		{"+49 30 901820", "+4930901820", true}, // separators are read too
		{"030901820", "", false},               // not international
	}
	for _, tt := range tests {
		got, ok := phone.Check(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Check(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
