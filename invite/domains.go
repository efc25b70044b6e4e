package invite

import (
	"cmp"
	"context"
	"net"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// MaxAllowedDomains bounds how many domains a company's list holds.
const MaxAllowedDomains = 100

// Field error reasons of allowed e-mail domains.
const (
	// ReasonDomainNotAllowed is an address whose domain the company does
	// not allow (Company.AllowsEmail). Its Args name the allowed domains
	// ("Domains", as AllowedDomainsText writes them) and the company
	// ("Company").
	ReasonDomainNotAllowed = "domain_not_allowed"
	// ReasonInvalidDomain is an entry of a list of allowed domains that is
	// not a domain name. Its Args hold the entry's index in the list
	// ("Index", from 0) and the entry as given ("Domain", cut to 100
	// characters).
	ReasonInvalidDomain = "invalid_domain"
	// ReasonTooMany is a list with more entries than Args' "Max".
	ReasonTooMany = "too_many"
)

// AllowedDomain is an e-mail domain that a company's invitations and join
// requests may go to. Name is the domain's ASCII form by IDNA (UTS #46,
// as e-mail addresses are kept, so "xn--bcher-kva.example" for
// "bücher.example"), in lower case. With Subdomains, addresses at any
// subdomain of Name are allowed too (a.b.example.com under example.com),
// as well as those at Name itself.
type AllowedDomain struct {
	Name       string
	Subdomains bool
}

// String returns the domain as a list of allowed domains writes it, in
// its Unicode form: "example.com", or "*.example.com" with its subdomains.
func (d AllowedDomain) String() string {
	name := d.Unicode()
	if d.Subdomains {
		return "*." + name
	}
	return name
}

// Unicode returns Name in its Unicode form ("bücher.example" for
// "xn--bcher-kva.example"), or Name where it has none.
func (d AllowedDomain) Unicode() string {
	u, err := idna.Lookup.ToUnicode(d.Name)
	if err != nil {
		return d.Name
	}
	return u
}

// matches reports whether the ASCII, lower-case domain is d or, with
// Subdomains, under it.
func (d AllowedDomain) matches(domain string) bool {
	return domain == d.Name || d.Subdomains && strings.HasSuffix(domain, "."+d.Name)
}

// ParseAllowedDomain reads one entry of a list of allowed domains as a
// person writes it: "example.com" for that domain only, "*.example.com"
// for it and its subdomains; in any case, in Unicode or ASCII form
// ("bücher.example" or "xn--bcher-kva.example"), with or without a
// leading "@". It reports false for anything that is not a domain name of
// two labels or more.
func ParseAllowedDomain(s string) (AllowedDomain, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "@")
	var d AllowedDomain
	if rest, ok := strings.CutPrefix(s, "*."); ok {
		s, d.Subdomains = rest, true
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, invisibleInAddress) || strings.HasSuffix(s, ".") {
		return AllowedDomain{}, false
	}
	name, err := idna.Lookup.ToASCII(s)
	if err != nil || !validDomain(name) {
		return AllowedDomain{}, false
	}
	d.Name = strings.ToLower(name)
	// Neither an address (the domains are names) nor a public suffix such
	// as co.uk, which would allow everyone's addresses under it (found
	// from outside).
	if net.ParseIP(d.Name) != nil {
		return AllowedDomain{}, false
	}
	if suffix, _ := publicsuffix.PublicSuffix(d.Name); suffix == d.Name {
		return AllowedDomain{}, false
	}
	return d, true
}

// emailDomain returns the domain of an e-mail address in its ASCII form by
// IDNA and in lower case, as addresses are kept, and whether there is one.
func emailDomain(email string) (string, bool) {
	if normalized, ok := normalizeEmail(strings.TrimSpace(email)); ok {
		return normalized[strings.LastIndexByte(normalized, '@')+1:], true
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return "", false
	}
	domain, err := idna.Lookup.ToASCII(strings.TrimSpace(email[at+1:]))
	if err != nil || domain == "" {
		return "", false
	}
	return strings.ToLower(domain), true
}

// AllowsEmail reports whether the company's invitations and join requests
// may go to the e-mail address: any address while AllowedDomains is
// empty, otherwise one whose domain is an allowed domain or, where that
// allows them, a subdomain of one. The address's domain is compared in
// its ASCII form by IDNA, so "name@bücher.example" and
// "name@xn--bcher-kva.example" are one. An address without a domain is
// allowed only where any is.
func (c *Company) AllowsEmail(email string) bool {
	if len(c.AllowedDomains) == 0 {
		return true
	}
	domain, ok := emailDomain(email)
	if !ok {
		return false
	}
	for _, d := range c.AllowedDomains {
		if d.matches(domain) {
			return true
		}
	}
	return false
}

// AllowedDomainsText returns the company's allowed domains as a list in
// one line, as ReasonDomainNotAllowed's Args name them:
// "example.com, *.example.org".
func (c *Company) AllowedDomainsText() string {
	names := make([]string, len(c.AllowedDomains))
	for i, d := range c.AllowedDomains {
		names[i] = d.String()
	}
	return strings.Join(names, ", ")
}

// allowedEmail adds ReasonDomainNotAllowed at field if the address, valid
// already, is not one that c allows.
func (v *validator) allowedEmail(field, email string, c *Company) {
	if email == "" || v.has(field) || c.AllowsEmail(email) {
		return
	}
	domains := c.AllowedDomainsText()
	v.addArgs(field, ReasonDomainNotAllowed, map[string]any{"Domains": domains, "Company": c.Name},
		"is not at a domain that %s allows: %s", c.Name, domains)
}

// allowedDomains validates a list of allowed domains as ParseAllowedDomain
// reads each, and returns them with duplicates merged (one name, with its
// subdomains if any entry of it has them), ordered by name. Each invalid
// entry is its own error at field, with its index in Args.
func (v *validator) allowedDomains(field string, in []AllowedDomain) []AllowedDomain {
	if len(in) > MaxAllowedDomains {
		v.addArgs(field, ReasonTooMany, map[string]any{"Max": MaxAllowedDomains}, "must have at most %d entries", MaxAllowedDomains)
		return nil
	}
	byName := make(map[string]int, len(in))
	out := make([]AllowedDomain, 0, len(in))
	for i, d := range in {
		entry := d.Name
		if d.Subdomains && !strings.HasPrefix(strings.TrimSpace(entry), "*.") {
			entry = "*." + strings.TrimSpace(entry)
		}
		parsed, ok := ParseAllowedDomain(entry)
		if !ok {
			shown := strings.ToValidUTF8(strings.TrimSpace(d.Name), "\uFFFD")
			if utf8.RuneCountInString(shown) > 100 {
				shown = string([]rune(shown)[:100]) + "…"
			}
			v.addArgs(field, ReasonInvalidDomain, map[string]any{"Index": i, "Domain": shown},
				"entry %d, %q, is not a domain name such as example.com", i, shown)
			continue
		}
		if j, seen := byName[parsed.Name]; seen {
			out[j].Subdomains = out[j].Subdomains || parsed.Subdomains
			continue
		}
		byName[parsed.Name] = len(out)
		out = append(out, parsed)
	}
	slices.SortFunc(out, func(a, b AllowedDomain) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// SetAllowedDomains sets the e-mail domains that a company's invitations
// and join requests may go to; none (an empty list) allows any. Each
// domain is read as ParseAllowedDomain reads an entry, so its Name may
// also be written "*.example.com" for Subdomains, in Unicode or ASCII
// form: an entry that is not a domain name is a field error at
// "allowed_domains" with its index in Args, and nothing is saved; the
// same domain twice is kept once. Only a Global Administrator may set
// them. A change applies to what is sent from then on (Invite, Resend,
// ApproveJoinRequest, RequestToJoin); existing users and the links
// already sent are left as they are.
func (s *Service) SetAllowedDomains(ctx context.Context, companyID int64, domains []AllowedDomain) error {
	u, err := s.actor(ctx)
	if err != nil {
		return err
	}
	if u.AdminLevel != AdminGlobal {
		return ErrForbidden
	}
	var v validator
	list := v.allowedDomains("allowed_domains", domains)
	if err := v.err(); err != nil {
		return err
	}
	names := make([]string, len(list))
	for i, d := range list {
		names[i] = d.String()
	}
	c, err := s.st().Company(ctx, companyID)
	if err != nil {
		return err
	}
	was := make([]string, len(c.AllowedDomains))
	for i, d := range c.AllowedDomains {
		was[i] = d.String()
	}
	if slices.Equal(slices.Sorted(slices.Values(was)), slices.Sorted(slices.Values(names))) {
		return nil // saved again as they are: no change, none recorded
	}
	err = s.changeCompany(ctx, u, companyID, "allowed_domains", map[string]any{"allowed_domains": names}, func(tx *Service) error {
		return tx.st().SetAllowedDomains(ctx, companyID, list)
	})
	if err != nil {
		return err
	}
	s.logger.Info("allowed e-mail domains set", "company", companyID, "admin", u.ID, "domains", len(list))
	return nil
}

// domainRefused returns the field error of an address that c does not
// allow, at field, or nil.
func domainRefused(c *Company, field, email string) error {
	var v validator
	v.allowedEmail(field, email, c)
	return v.err()
}
