package httpui

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/invitehq/invite/invite"
)

// The bounds of what the Invite Users page reads.
const (
	// maxBulkBytes bounds an uploaded file or a pasted list: 10,000 rows
	// of a full seed with subscriptions take some 3 MB.
	maxBulkBytes = 8 << 20
)

// bulkDefaults fill the cells a row leaves empty: the page's "defaults for
// every row".
type bulkDefaults struct {
	BusinessRoleID int64
	Grants         []invite.Grant
	Preset         string
	Language       string
	TimeZone       string
}

// bulkRow is one invitation read from a file or list, with the line it
// starts on.
type bulkRow struct {
	Line  int
	Input invite.InvitationInput
}

// bulkError is why a whole file or list is refused: the ID of its text and
// the text's data. Nothing of it is sent.
type bulkError struct {
	ID   string
	Args []any
}

func (e *bulkError) Error() string { return e.ID }

// The columns a file may have, by their English field names.
var bulkColumns = []string{"email", "first_name", "last_name", "business_role", "department", "phone",
	"language", "time_zone", "subscriptions", "preset", "admin"}

// bulkLabels are the IDs of the UI texts that name each column, in every
// language: a header may be any of them.
var bulkLabels = map[string][]string{
	"email":         {"email_address", "col_email"},
	"first_name":    {"first_name"},
	"last_name":     {"last_name"},
	"business_role": {"business_role"},
	"department":    {"department"},
	"phone":         {"phone_number"},
	"language":      {"language", "label_language"},
	"time_zone":     {"time_zone", "label_time_zone"},
	"subscriptions": {"subscriptions"},
	"preset":        {"bulk_col_preset"},
	"admin":         {"admin_company"},
}

// headerKey folds a header or name for matching: lower case, with spaces,
// hyphens and underscores alike.
func headerKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, strings.Join(strings.Fields(s), " "))
}

// bulkReader reads rows for one company, knowing the names every language
// gives columns and roles.
type bulkReader struct {
	headers map[string]string      // headerKey -> column
	roles   map[string]invite.Role // headerKey of a role's name in any language -> role
	langs   map[string]string      // headerKey of a language's name or tag -> tag
	admins  map[string]bool        // headerKey of a yes or no -> whether Company Administrator
	company *invite.Company
	def     bulkDefaults
	maxRows int
}

func (t *texts) bulkReader(c *invite.Company, def bulkDefaults) *bulkReader {
	r := &bulkReader{headers: map[string]string{}, roles: map[string]invite.Role{}, langs: map[string]string{},
		admins: map[string]bool{"yes": true, "true": true, "1": true, "x": true, "company": true,
			"no": false, "false": false, "0": false, "none": false},
		company: c, def: def, maxRows: invite.MaxBatchRows}
	for _, col := range bulkColumns {
		r.headers[headerKey(col)] = col
	}
	for _, role := range invite.Roles() {
		r.roles[headerKey(string(role))] = role
	}
	for _, tag := range invite.Languages() {
		r.langs[headerKey(tag)] = tag
	}
	for _, lang := range invite.Languages() {
		fixed := t.fixed[lang]
		for col, ids := range bulkLabels {
			for _, id := range ids {
				if s := fixed[id]; s != "" {
					r.headers[headerKey(s)] = col
				}
			}
		}
		for _, role := range invite.Roles() {
			if s := fixed["role_"+string(role)]; s != "" {
				r.roles[headerKey(s)] = role
			}
		}
		for _, tag := range invite.Languages() {
			if s := fixed["language_"+tag]; s != "" {
				r.langs[headerKey(s)] = tag
			}
		}
		for _, id := range []string{"bulk_yes", "admin_company"} {
			if s := fixed[id]; s != "" {
				r.admins[headerKey(s)] = true
			}
		}
		if s := fixed["bulk_no"]; s != "" {
			r.admins[headerKey(s)] = false
		}
	}
	return r
}

// checkText refuses data that is not UTF-8 text: a UTF-16 file, bytes that
// are not UTF-8, or a NUL (a binary file), naming the line. It returns the
// text without a byte order mark.
func checkText(data []byte) ([]byte, *bulkError) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, &bulkError{ID: "bulk_err_utf16"}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	line := 1
	for rest := data; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		l := rest
		if i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if bytes.IndexByte(l, 0) >= 0 {
			return nil, &bulkError{ID: "bulk_err_binary", Args: []any{"Line", line}}
		}
		if !utf8.Valid(l) {
			return nil, &bulkError{ID: "bulk_err_encoding", Args: []any{"Line", line}}
		}
		line++
	}
	return data, nil
}

// sniffDelimiter returns the delimiter of a CSV file from its first line:
// a semicolon if it has more of them than commas, outside quotes.
func sniffDelimiter(data []byte) rune {
	commas, semis, quoted := 0, 0, false
	for _, b := range data {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			if semis > commas {
				return ';'
			}
			return ','
		case b == ',':
			commas++
		case b == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

// readCSV reads a CSV file: a header row that names columns (English field
// names or their labels in any language, any case), then a row per person.
func (r *bulkReader) readCSV(data []byte) ([]bulkRow, *bulkError) {
	data, berr := checkText(data)
	if berr != nil {
		return nil, berr
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &bulkError{ID: "bulk_err_empty"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			continue // an empty column, as spreadsheets leave
		}
		col, ok := r.headers[headerKey(h)]
		if !ok {
			return nil, &bulkError{ID: "bulk_err_column", Args: []any{"Column", h}}
		}
		if seen[col] {
			return nil, &bulkError{ID: "bulk_err_column_twice", Args: []any{"Column", h}}
		}
		seen[col], cols[i] = true, col
	}
	if !seen["email"] {
		return nil, &bulkError{ID: "bulk_err_no_email"}
	}
	var rows []bulkRow
	n := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		cells := map[string]string{}
		empty := true
		for i, v := range rec {
			v = clipCell(strings.TrimSpace(v))
			switch {
			case i < len(cols) && cols[i] != "":
				cells[cols[i]] = v
			case v != "":
				return nil, &bulkError{ID: "bulk_err_cells", Args: []any{"Line", line}}
			}
			empty = empty && v == ""
		}
		if empty {
			continue // a blank line
		}
		if n++; n > r.maxRows {
			continue // counted, to say how many
		}
		rows = append(rows, bulkRow{Line: line, Input: r.input(cells)})
	}
	if n > r.maxRows {
		return nil, &bulkError{ID: "bulk_err_rows", Args: []any{"Rows", n, "Max", r.maxRows}}
	}
	if n == 0 {
		return nil, &bulkError{ID: "bulk_err_empty"}
	}
	return rows, nil
}

// csvError names the line of a CSV syntax error.
func csvError(err error) *bulkError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &bulkError{ID: "bulk_err_csv", Args: []any{"Line", pe.StartLine}}
	}
	return &bulkError{ID: "bulk_err_csv", Args: []any{"Line", 0}}
}

// readList reads a pasted list: one address per line, bare or as
// "Name <address>" (the first word the first name, the rest the last
// name). A line without a name takes it from an address of the form
// first.last@ (or first_last, first-last); otherwise its row is refused
// for want of a name.
func (r *bulkReader) readList(text string) ([]bulkRow, *bulkError) {
	data, berr := checkText([]byte(text))
	if berr != nil {
		return nil, berr
	}
	var rows []bulkRow
	n := 0
	for i, l := range strings.Split(string(data), "\n") {
		l = clipCell(strings.TrimSpace(l))
		if l == "" {
			continue
		}
		if n++; n > r.maxRows {
			continue
		}
		cells := map[string]string{"email": l}
		if a, err := mail.ParseAddress(l); err == nil {
			cells["email"] = a.Address
			if name := strings.Fields(a.Name); len(name) > 0 {
				cells["first_name"], cells["last_name"] = name[0], strings.Join(name[1:], " ")
			}
		}
		if cells["first_name"] == "" {
			cells["first_name"], cells["last_name"] = namesOf(cells["email"])
		}
		rows = append(rows, bulkRow{Line: i + 1, Input: r.input(cells)})
	}
	if n > r.maxRows {
		return nil, &bulkError{ID: "bulk_err_rows", Args: []any{"Rows", n, "Max", r.maxRows}}
	}
	if n == 0 {
		return nil, &bulkError{ID: "bulk_err_empty"}
	}
	return rows, nil
}

// namesOf returns the first and last name an address of the form
// first.last@ tells, or none.
func namesOf(email string) (string, string) {
	local, _, ok := strings.Cut(email, "@")
	if !ok {
		return "", ""
	}
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	if len(parts) < 2 {
		return "", ""
	}
	for i, p := range parts {
		if !isLetters(p) {
			return "", ""
		}
		rs := []rune(strings.ToLower(p))
		rs[0] = unicode.ToUpper(rs[0])
		parts[i] = string(rs)
	}
	return parts[0], strings.Join(parts[1:], " ")
}

// maxCell bounds what is kept of one cell: more than any field takes
// (the row is refused as too long all the same), so that one cell of
// megabytes is neither kept with the batch nor shown (found from outside:
// a 7 MB name made a 7 MB page).
const maxCell = 1000

// clipCell returns at most maxCell bytes of s, cut between characters.
func clipCell(s string) string {
	if len(s) <= maxCell {
		return s
	}
	cut := maxCell
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// input makes the invitation of one row's cells, by column, with the
// defaults where a cell is empty. Names that are not the company's
// (business role, subscription) or a role's become values the service
// refuses at the row, with its reason: the checks are the service's.
func (r *bulkReader) input(cells map[string]string) invite.InvitationInput {
	in := invite.InvitationInput{
		CompanyID:  r.company.ID,
		Email:      cells["email"],
		FirstName:  cells["first_name"],
		LastName:   cells["last_name"],
		Department: cells["department"],
		Phone:      cells["phone"],
		Language:   cells["language"],
		TimeZone:   cells["time_zone"],
		Preset:     cells["preset"],
	}
	if tag, ok := r.langs[headerKey(in.Language)]; ok && in.Language != "" {
		in.Language = tag
	}
	if in.Language == "" {
		in.Language = r.def.Language
	}
	if in.TimeZone == "" {
		in.TimeZone = r.def.TimeZone
	}
	if in.Preset == "" {
		in.Preset = r.def.Preset
	}
	switch name := cells["business_role"]; name {
	case "":
		in.BusinessRoleID = r.def.BusinessRoleID
	default:
		in.BusinessRoleID = -1 // not the company's: refused as unknown
		for _, br := range r.company.BusinessRoles {
			if headerKey(br.Name) == headerKey(name) {
				in.BusinessRoleID = br.ID
			}
		}
	}
	if subs := cells["subscriptions"]; subs == "" {
		in.Grants = append([]invite.Grant(nil), r.def.Grants...)
	} else {
		in.Grants = r.grants(subs)
	}
	if a := cells["admin"]; a != "" {
		switch company, ok := r.admins[headerKey(a)]; {
		case !ok:
			in.AdminLevel = invite.AdminLevel(a) // refused as invalid
		case company:
			in.AdminLevel = invite.AdminCompany
		}
	}
	return in
}

// grants reads "Subscription:Role;Subscription:Role" (a comma or a
// vertical bar may separate them too).
func (r *bulkReader) grants(cell string) []invite.Grant {
	var gs []invite.Grant
	for _, part := range strings.FieldsFunc(cell, func(c rune) bool { return c == ';' || c == ',' || c == '|' }) {
		name, role, _ := strings.Cut(part, ":")
		g := invite.Grant{SubscriptionID: -1, Role: invite.Role(strings.TrimSpace(role))}
		for _, s := range r.company.Subscriptions {
			if headerKey(s.Name) == headerKey(name) {
				g.SubscriptionID = s.ID
			}
		}
		if known, ok := r.roles[headerKey(role)]; ok {
			g.Role = known
		}
		gs = append(gs, g)
	}
	return gs
}

// spreadsheetSafe returns s as a cell a spreadsheet shows as text: one
// that starts as a formula would gets an apostrophe in front.
func spreadsheetSafe(s string) string {
	if invite.Formula(s) {
		return "'" + s
	}
	return s
}
