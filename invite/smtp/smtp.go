// Package smtp delivers the messages of the invite outbox over SMTP with
// github.com/wneessen/go-mail: STARTTLS, implicit TLS or plain connections,
// with authentication.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/invitehq/invite/invite"
)

// Mailer sends messages through one SMTP server. It is safe for concurrent
// use: each Deliver call has a connection of its own.
type Mailer struct {
	host     string
	port     int
	security string // "starttls", "tls" or "none"
	user     string
	password string
	from     *netmail.Address
	tls      *tls.Config
	timeout  time.Duration
}

var _ invite.Mailer = (*Mailer)(nil)

// Option configures a Mailer.
type Option func(*Mailer)

// WithTLSConfig sets the TLS configuration, for example to trust a private
// certificate authority. The server name is set from the URL.
func WithTLSConfig(c *tls.Config) Option { return func(m *Mailer) { m.tls = c.Clone() } }

// WithTimeout bounds each connection's dial and each command.
func WithTimeout(d time.Duration) Option { return func(m *Mailer) { m.timeout = d } }

// New returns a Mailer for the server named by rawURL,
//
//	smtp://USER:PASS@HOST:PORT?tls=starttls|tls|none&timeout=30s
//
// that sends from the address from ("Name <address>" or a bare address).
// tls=starttls (the default) requires STARTTLS, on port 587 unless given;
// tls=tls connects with TLS, on port 465; tls=none sends in the clear, on
// port 25. A user in the URL authenticates (PLAIN or LOGIN, as the server
// offers), which go-mail allows only over TLS or to localhost. timeout
// bounds the dial and each command, the data included (30 s unless given;
// WithTimeout overrides it).
func New(rawURL, from string, opts ...Option) (*Mailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, fmt.Errorf("smtp: URL %q: want smtp://USER:PASS@HOST:PORT?tls=starttls|tls|none", redact(rawURL))
	}
	m := &Mailer{host: u.Hostname(), security: "starttls", timeout: 30 * time.Second}
	for k, v := range u.Query() {
		switch {
		case k == "tls" && (v[0] == "starttls" || v[0] == "tls" || v[0] == "none"):
			m.security = v[0]
		case k == "timeout":
			if m.timeout, err = time.ParseDuration(v[0]); err != nil || m.timeout <= 0 {
				return nil, fmt.Errorf("smtp: URL parameter timeout=%q: want a positive duration such as 30s", v[0])
			}
		default:
			return nil, fmt.Errorf("smtp: URL parameter %s=%q: want tls=starttls, tls=tls or tls=none, or timeout=30s", k, v[0])
		}
	}
	m.port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[m.security]
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil || m.port <= 0 || m.port > 65535 {
			return nil, fmt.Errorf("smtp: URL %q: bad port", redact(rawURL))
		}
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.password, _ = u.User.Password()
	}
	if m.from, err = netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("smtp: sender %q: %w", from, err)
	}
	for _, o := range opts {
		o(m)
	}
	return m, nil
}

func redact(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		return u.Redacted()
	}
	return "(unparsable)"
}

// client returns a go-mail client configured for the server, for a
// delivery that ends with ctx, and what to call once it is over.
func (m *Mailer) client(ctx context.Context) (*mail.Client, func(), error) {
	tlsConfig := m.tls
	if tlsConfig == nil {
		tlsConfig = &tls.Config{}
	}
	tlsConfig = tlsConfig.Clone()
	tlsConfig.ServerName = m.host
	opts := []mail.Option{
		mail.WithPort(m.port),
		mail.WithTimeout(m.timeout),
		mail.WithTLSConfig(tlsConfig),
	}
	done := func() {}
	if m.security != "tls" {
		// go-mail takes a connection of its own dialer for implicit TLS
		// only (it offers the password only over one), so that one is
		// bounded by the timeout of each command alone.
		var dial mail.DialContextFunc
		dial, done = m.dialer(ctx)
		opts = append(opts, mail.WithDialContextFunc(dial))
	}
	switch m.security {
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithTLSPolicy(mail.NoTLS))
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if m.user != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(m.user), mail.WithPassword(m.password))
	}
	c, err := mail.NewClient(m.host, opts...)
	return c, done, err
}

// dialer connects as go-mail would (for plain connections and STARTTLS),
// to a connection that is closed when delivery, the context of the
// delivery, ends: go-mail heeds a context only while dialing (its own,
// which ends once dialed), and a server that stalls would otherwise hold a
// delivery past its deadline, and past its claim on the messages, which
// another worker then sends again. done ends the watch on delivery.
func (m *Mailer) dialer(delivery context.Context) (dial mail.DialContextFunc, done func()) {
	var stops []func() bool
	dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{Timeout: m.timeout}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		stops = append(stops, context.AfterFunc(delivery, func() { conn.Close() }))
		return conn, nil
	}
	done = func() {
		for _, stop := range stops {
			stop()
		}
	}
	return dial, done
}

// Deliver sends msgs over one connection and returns an error for each
// message the server did not accept, as DeliverEach tells them.
func (m *Mailer) Deliver(ctx context.Context, msgs []*invite.Message) []error {
	errs := make([]error, len(msgs))
	m.DeliverEach(ctx, msgs, func(i int, err error) bool { errs[i] = err; return true })
	return errs
}

// DeliverEach sends msgs over one connection, one after the other, and
// tells each message's outcome as soon as the server has answered it. A
// 5xx reply is permanent; anything else, a connection that cannot be made
// or that broke included, is temporary. A message whose data the server
// accepted is delivered, whatever fails after it (the RSET before the
// next, the QUIT): sent again, it would be a second copy. When done
// returns false, it sends no more. When ctx ends, the connection is closed
// (but one of implicit TLS): what was not accepted by then fails.
func (m *Mailer) DeliverEach(ctx context.Context, msgs []*invite.Message, done func(i int, err error) bool) {
	failRest := func(from int, err error) {
		for i := from; i < len(msgs); i++ {
			if !done(i, err) {
				return
			}
		}
	}
	c, finish, err := m.client(ctx)
	if err != nil {
		failRest(0, err)
		return
	}
	defer finish()
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		failRest(0, fmt.Errorf("smtp %s:%d: %w", m.host, m.port, err))
		return
	}
	defer c.CloseWithSMTPClient(conn) // QUIT: what fails now changes nothing sent
	for i, msg := range msgs {
		var more bool
		gm, err := m.message(msg)
		if err != nil {
			if !done(i, invite.Permanent(err)) { // a message that cannot be built never will be
				return
			}
			continue
		}
		err = c.SendWithSMTPClient(conn, gm)
		switch {
		case gm.IsDelivered():
			more = done(i, nil)
		case gm.HasSendError():
			more = done(i, classify(fmt.Errorf("smtp %s:%d: %w", m.host, m.port, gm.SendError())))
		case err != nil: // not tried: the connection is gone
			failRest(i, fmt.Errorf("smtp %s:%d: %w", m.host, m.port, err))
			return
		default:
			failRest(i, fmt.Errorf("smtp %s:%d: the message was neither sent nor failed", m.host, m.port))
			return
		}
		if !more {
			return
		}
	}
}

// classify marks an SMTP 5xx reply permanent.
func classify(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return invite.Permanent(err)
	}
	return err
}

// recipient writes a name and address as RFC 5322 and RFC 2047 say, so
// that it reads back as it is: net/mail quotes an ASCII name with its
// quotes and backslashes escaped, and encodes any other, but it Q-encodes
// a name with a backslash into a word no reader parses (the backslash is
// not allowed there); such a name is B-encoded instead. Formatting by hand
// once broke on a name with a quote.
func recipient(name, addr string) (string, error) {
	s := (&netmail.Address{Name: name, Address: addr}).String()
	if _, err := netmail.ParseAddress(s); err == nil {
		return s, nil
	}
	s = mime.BEncoding.Encode("utf-8", name) + " <" + addr + ">"
	if _, err := netmail.ParseAddress(s); err != nil {
		return "", fmt.Errorf("recipient %q: %w", addr, err)
	}
	return s, nil
}

// message converts msg to a go-mail message: multipart/alternative with the
// text and HTML parts, its stable Message-ID and its language.
func (m *Mailer) message(msg *invite.Message) (*mail.Msg, error) {
	gm := mail.NewMsg()
	gm.FromMailAddress(m.from)
	to, err := recipient(msg.ToName, msg.To)
	if err != nil {
		return nil, err
	}
	// The To header as written by recipient; the envelope's recipient goes
	// as Bcc, which go-mail sends to but does not write.
	gm.SetGenHeaderPreformatted(mail.Header("To"), to)
	if err := gm.AddBcc(msg.To); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", msg.To, err)
	}
	gm.SetMessageIDWithValue(strings.Trim(msg.MessageID, "<>"))
	gm.SetDateWithValue(msg.CreatedAt)
	gm.SetGenHeader(mail.Header("Content-Language"), msg.Language)
	gm.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	gm.Subject(msg.Subject)
	gm.SetBodyString(mail.TypeTextPlain, msg.Text)
	gm.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	return gm, nil
}
