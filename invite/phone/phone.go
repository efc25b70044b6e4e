// Package phone judges phone numbers by every country's numbering plan,
// with github.com/nyaruka/phonenumbers (Google's libphonenumber). Set
// invite.Config.Phone to Check to keep only numbers that can exist; it is a
// package of its own because the plans and their encoding add some 8 MB to
// a program.
package phone

import "github.com/nyaruka/phonenumbers"

// Check reports whether number, in international form (a plus and the
// country code), is a valid number of its country, and returns it in
// E.164.
func Check(number string) (string, bool) {
	n, err := phonenumbers.Parse(number, "")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	if len(e164) > 1+15 { // the plans allow more digits than E.164 does
		return "", false
	}
	return e164, true
}
