// Package smtptest runs a real SMTP server, github.com/emersion/go-smtp, in
// a test: plain, STARTTLS or implicit TLS, with or without authentication,
// and keeps every message it accepts.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configures a Server.
type Options struct {
	// TLS is "none" (the default), "starttls" or "tls" (implicit).
	TLS string
	// User and Password, when set, are required to send (AUTH PLAIN).
	User, Password string
	// Addr is where to listen; 127.0.0.1:0 when empty.
	Addr string
}

// Received is a message the server accepted.
type Received struct {
	From string
	To   []string
	Data []byte
}

// Parse parses the message's header and body.
func (r Received) Parse() (*mail.Message, error) { return mail.ReadMessage(bytes.NewReader(r.Data)) }

// Parsed is a received multipart/alternative message, decoded.
type Parsed struct {
	Header  mail.Header
	Subject string            // decoded from RFC 2047
	Parts   map[string]string // decoded bodies by media type, lines ending in \n
	Charset map[string]string // charset of each part
}

// Decode parses a multipart/alternative message and decodes its subject
// and parts (quoted-printable or base64).
func (r Received) Decode() (*Parsed, error) {
	msg, err := r.Parse()
	if err != nil {
		return nil, err
	}
	p := &Parsed{Header: msg.Header, Parts: map[string]string{}, Charset: map[string]string{}}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return nil, fmt.Errorf("subject: %w", err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		return nil, fmt.Errorf("Content-Type %q: want multipart/alternative (%v)", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // undoes quoted-printable
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		ct, ctParams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			return nil, err
		}
		var body io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		p.Parts[ct] = strings.ReplaceAll(string(b), "\r\n", "\n")
		p.Charset[ct] = ctParams["charset"]
	}
}

// Server is a running SMTP server.
type Server struct {
	opts   Options
	srv    *smtp.Server
	ln     net.Listener
	caPool *x509.CertPool

	mu       sync.Mutex
	received []Received
	reject   func(rcpt string) error
	cut      func(rcpts []string) bool
	accept   func(rcpts []string)
}

// Start starts a server that stops when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.TLS == "" {
		opts.TLS = "none"
	}
	cert, pool, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{opts: opts, caPool: pool}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "smtptest.localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.AllowInsecureAuth = false
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	switch opts.TLS {
	case "starttls":
		s.srv.TLSConfig = tlsConfig
	case "tls":
		ln = tls.NewListener(ln, tlsConfig)
	case "none":
		s.srv.AllowInsecureAuth = true
	default:
		t.Fatalf("smtptest: TLS %q: want none, starttls or tls", opts.TLS)
	}
	s.ln = ln
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns an smtp:// URL for the server, as invite's configuration
// takes it.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr(), RawQuery: "tls=" + s.opts.TLS}
	if s.opts.User != "" {
		u.User = url.UserPassword(s.opts.User, s.opts.Password)
	}
	return u.String()
}

// ClientTLS returns a TLS configuration that trusts the server's certificate.
func (s *Server) ClientTLS() *tls.Config { return &tls.Config{RootCAs: s.caPool} }

// Reject makes the server answer RCPT TO with the error fn returns for a
// recipient, such as &smtp.SMTPError{Code: 550, ...}; nil accepts.
func (s *Server) Reject(fn func(rcpt string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = fn
}

// CutData makes the server drop the connection in the middle of a
// message's data, without a reply, when fn returns true for its
// recipients: the message is not accepted.
func (s *Server) CutData(fn func(rcpts []string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cut = fn
}

// BeforeAccepting makes the server call fn with a message's recipients
// once it has its data and before it answers that it accepted it.
func (s *Server) BeforeAccepting(fn func(rcpts []string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accept = fn
}

// Received returns the messages accepted so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	msg    Received
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, password string) error {
		if user != ss.s.opts.User || password != ss.s.opts.Password {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.User != "" && !ss.authed {
		return errAuthRequired
	}
	ss.msg = Received{From: from}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	reject := ss.s.reject
	ss.s.mu.Unlock()
	if reject != nil {
		if err := reject(to); err != nil {
			return err
		}
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.s.mu.Lock()
	cut := ss.s.cut
	ss.s.mu.Unlock()
	if cut != nil && cut(ss.msg.To) {
		_, _ = io.ReadFull(r, make([]byte, 64))
		ss.conn.Conn().Close()
		return errors.New("smtptest: connection cut in the middle of the data")
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.msg.Data = data
	ss.s.mu.Lock()
	ss.s.received = append(ss.s.received, ss.msg)
	accept := ss.s.accept
	ss.s.mu.Unlock()
	if accept != nil {
		accept(ss.msg.To)
	}
	return nil
}

func (ss *session) Reset()        { ss.msg = Received{} }
func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("smtptest: certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
