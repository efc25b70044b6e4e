package invite

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// WebhookConfig configures webhooks: where they may go, how long a
// receiver has to answer, how delivery is retried.
type WebhookConfig struct {
	// AllowPrivate lets webhooks go to any address: loopback, private,
	// link-local and the other addresses that are not public, which are
	// refused otherwise (at registration for an address given as such,
	// and when connecting for the address a name resolved to, so that
	// neither DNS nor a redirect leads around it). For a test, or an
	// installation whose receivers are on its own network.
	AllowPrivate bool
	// Allow are ranges of addresses that are not public that webhooks
	// may go to nonetheless, such as the network of the installation's
	// own receivers.
	Allow []netip.Prefix
	// TLS, if set, is the TLS configuration of deliveries, for example
	// with the roots a test's server is signed by; the system's roots
	// when nil.
	TLS *tls.Config
	// Timeout is how long a receiver has to answer one delivery;
	// DefaultWebhookTimeout when zero, and at most half of the Retry's
	// Lease.
	Timeout time.Duration
	// Retry is how deliveries are retried; Config.Retry's where zero. A
	// delivery that failed Retry.Attempts times is failed for good.
	Retry Retry
	// MaxPerCompany is how many webhooks a company may have;
	// DefaultMaxWebhooks when zero.
	MaxPerCompany int
}

// DefaultWebhookTimeout is how long a receiver has to answer unless
// configured.
const DefaultWebhookTimeout = 10 * time.Second

// The limits of one run of DeliverWebhooks.
const (
	webhookBatch   = 10  // deliveries claimed at once, posted side by side
	webhookBatches = 100 // claims per run
	webhookBody    = 64 << 10
)

// webhookClient posts deliveries, refusing the addresses it may not reach.
type webhookClient struct {
	allowAll      bool
	allow         []netip.Prefix
	timeout       time.Duration
	retry         Retry
	maxPerCompany int
	client        *http.Client
}

// newWebhookClient returns the client cfg describes, retrying by retry
// where cfg.Retry is zero.
func newWebhookClient(cfg WebhookConfig, retry Retry) *webhookClient {
	r := cfg.Retry
	if r.Attempts <= 0 {
		r.Attempts = retry.Attempts
	}
	if r.Base <= 0 {
		r.Base = retry.Base
	}
	if r.Max <= 0 {
		r.Max = retry.Max
	}
	if r.Lease <= 0 {
		r.Lease = retry.Lease
	}
	c := &webhookClient{
		allowAll:      cfg.AllowPrivate,
		allow:         cfg.Allow,
		timeout:       cmp.Or(max(cfg.Timeout, 0), DefaultWebhookTimeout),
		retry:         r.withDefaults(),
		maxPerCompany: cmp.Or(max(cfg.MaxPerCompany, 0), DefaultMaxWebhooks),
	}
	c.timeout = min(c.timeout, c.retry.Lease/2)
	dialer := &net.Dialer{Timeout: c.timeout, Control: c.control}
	var tlsConfig *tls.Config
	if cfg.TLS != nil {
		tlsConfig = cfg.TLS.Clone()
	}
	c.client = &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil, // a proxy would connect where the dialer cannot see
			DialContext:           dialer.DialContext,
			TLSClientConfig:       tlsConfig,
			TLSHandshakeTimeout:   c.timeout,
			ResponseHeaderTimeout: c.timeout,
			MaxIdleConnsPerHost:   webhookBatch,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		// A redirect is an answer that is not 2xx, retried as any other:
		// followed, it could lead where registration would refuse.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       c.timeout,
	}
	return c
}

// errNotPublic is the error of a connection refused to an address that
// is not public.
var errNotPublic = errors.New("not a public address")

// control refuses to connect to an address that is not allowed: what the
// host's name resolved to, just before connecting, whatever the name.
func (c *webhookClient) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refused to connect to %s: %w", address, errNotPublic)
	}
	if !c.addrAllowed(ap.Addr()) {
		return fmt.Errorf("refused to connect to %s: %w", ap.Addr(), errNotPublic)
	}
	return nil
}

// hostAllowed reports whether a webhook's host may be registered: a name
// (checked again when connecting) other than localhost, or an allowed
// address.
func (c *webhookClient) hostAllowed(host string) bool {
	if c.allowAll {
		return true
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(host, ".")); err == nil {
		return c.addrAllowed(a)
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "localhost.localdomain" {
		return c.addrAllowed(netip.MustParseAddr("127.0.0.1"))
	}
	// A name whose last label begins with a digit is no name under a
	// top-level domain (none begins so) but an address in another
	// spelling, as some resolvers read "127.1", "2130706433",
	// "0x7f000001" or "0177.0.0.1": refused, as the address would be
	// (found from outside).
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" || last[0] >= '0' && last[0] <= '9' {
		return false
	}
	return true
}

// addrAllowed reports whether deliveries may connect to a.
func (c *webhookClient) addrAllowed(a netip.Addr) bool {
	a = a.Unmap()
	if c.allowAll || PublicAddr(a) {
		return true
	}
	for _, p := range c.allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// nonPublic are the ranges of addresses that are not public beyond those
// netip classifies (loopback, private, link-local, multicast,
// unspecified): IANA's special-purpose registries.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // this network
	netip.MustParsePrefix("100.64.0.0/10"),      // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),       // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),       // documentation
	netip.MustParsePrefix("192.88.99.0/24"),     // 6to4 relay anycast
	netip.MustParsePrefix("198.18.0.0/15"),      // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"),    // documentation
	netip.MustParsePrefix("203.0.113.0/24"),     // documentation
	netip.MustParsePrefix("240.0.0.0/4"),        // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),              // IPv4-compatible (deprecated)
	netip.MustParsePrefix("64:ff9b:1::/48"),     // local-use IPv4/IPv6 translation
	netip.MustParsePrefix("100::/64"),           // discard
	netip.MustParsePrefix("2001::/23"),          // IETF protocol assignments (Teredo among them)
	netip.MustParsePrefix("2001:db8::/32"),      // documentation
	netip.MustParsePrefix("3fff::/20"),          // documentation
	netip.MustParsePrefix("5f00::/16"),          // segment routing
	netip.MustParsePrefix("fec0::/10"),          // site-local (deprecated)
	netip.MustParsePrefix("2002::/16"),          // 6to4: judged by the IPv4 address it holds, below
	netip.MustParsePrefix("64:ff9b::/96"),       // NAT64: judged by the IPv4 address it holds, below
	netip.MustParsePrefix("ff00::/8"),           // multicast
	netip.MustParsePrefix("224.0.0.0/4"),        // multicast
	netip.MustParsePrefix("255.255.255.255/32"), // broadcast
}

// PublicAddr reports whether a is a public unicast address: not loopback,
// private (RFC 1918, unique local), link-local, multicast, unspecified,
// shared (CGNAT), reserved for documentation, benchmarks or protocols, nor
// an IPv4-mapped, 6to4 or NAT64 form of such an address.
func PublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case netip.MustParsePrefix("64:ff9b::/96").Contains(a):
			return PublicAddr(netip.AddrFrom4([4]byte(b[12:16])))
		case netip.MustParsePrefix("2002::/16").Contains(a):
			return PublicAddr(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// DeliverWebhooks posts the webhook deliveries that are due, ten side by
// side at a time, and returns how many were delivered. A receiver that
// answers 2xx has it; any other answer, a connection refused or cut, or
// no answer within the timeout is tried again with backoff, and failed
// for good after the Retry's attempts. Any number of workers may run it
// at once: each delivery is claimed by one of them, for the Retry's
// Lease. Delivery is at least once: a receiver deduplicates by
// Webhook-Id. It is the scheduled job's work and does no authorization.
func (s *Service) DeliverWebhooks(ctx context.Context) (int, error) {
	c := s.webhooks
	delivered := 0
	var unrecorded error
	for range webhookBatches {
		if err := ctx.Err(); err != nil {
			return delivered, cmp.Or(unrecorded, err)
		}
		now := s.clock()
		ds, err := s.st().ClaimWebhookDeliveries(ctx, now, now.Add(c.retry.Lease), webhookBatch)
		if err != nil || len(ds) == 0 {
			return delivered, cmp.Or(err, unrecorded)
		}
		statuses := make([]int, len(ds))
		errs := make([]error, len(ds))
		var wg sync.WaitGroup
		for i, d := range ds {
			wg.Go(func() { statuses[i], errs[i] = c.post(ctx, d, s.clock()) })
		}
		wg.Wait()
		for i, d := range ds {
			at := s.clock()
			if s.settleWebhook(ctx, d, statuses[i], errs[i], at) {
				delivered++
			}
			if err := s.recordWebhook(ctx, d, at); err != nil && unrecorded == nil {
				unrecorded = fmt.Errorf("record webhook delivery %d: %w", d.ID, err)
			}
		}
		if len(ds) < webhookBatch {
			break
		}
	}
	return delivered, unrecorded
}

// post sends d to its webhook, signed at now, and returns the status it
// was answered, with an error for anything but 2xx.
func (c *webhookClient) post(ctx context.Context, d *WebhookDelivery, now time.Time) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Webhook.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, err
	}
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "invite-webhooks/1")
	req.Header.Set(WebhookIDHeader, strconv.FormatInt(d.EventID, 10))
	req.Header.Set(WebhookTimestampHeader, strconv.FormatInt(ts, 10))
	req.Header.Set(WebhookSignatureHeader, WebhookSignature(d.Webhook.Secret, ts, d.Payload))
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, webhookBody)) // so the connection is used again
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// settleWebhook records the outcome of an attempt in d and reports
// whether it was delivered. An attempt cut short by the end of ctx (a
// shutdown) is given back, to be claimed at once by another worker.
func (s *Service) settleWebhook(ctx context.Context, d *WebhookDelivery, status int, err error, now time.Time) bool {
	c := s.webhooks
	d.LastStatus = status
	switch {
	case err == nil:
		d.State, d.DeliveredAt, d.LastError = WebhookDelivered, now, ""
		return true
	case ctx.Err() != nil:
		d.State, d.LastError, d.NextAttemptAt = WebhookQueued, truncate(err.Error(), maxErrorLen), d.CreatedAt
	case d.Attempts >= c.retry.Attempts:
		d.State, d.LastError = WebhookFailed, truncate(err.Error(), maxErrorLen)
		s.logger.Error("webhook not delivered, for good", "webhook", d.WebhookID, "event", d.EventID, "attempts", d.Attempts, "err", d.LastError)
	default:
		d.State, d.LastError = WebhookQueued, truncate(err.Error(), maxErrorLen)
		d.NextAttemptAt = now.Add(c.retry.backoff(d.Attempts))
		s.logger.Warn("webhook not delivered, to be tried again", "webhook", d.WebhookID, "event", d.EventID, "attempts", d.Attempts, "next_attempt", d.NextAttemptAt, "err", d.LastError)
	}
	return false
}

// recordWebhook saves the outcome of d's attempt, trying again for
// recordFor while the store fails, whether or not ctx is canceled.
func (s *Service) recordWebhook(ctx context.Context, d *WebhookDelivery, at time.Time) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordFor)
	defer cancel()
	wait := recordRetry
	for {
		err := s.st().SaveWebhookDelivery(ctx, d, at)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// WebhookRetention is how long deliveries that were delivered or failed
// are kept.
const WebhookRetention = 7 * 24 * time.Hour

// pruneWebhookBatch bounds how many deliveries one statement deletes.
const pruneWebhookBatch = 1000

// PruneWebhookDeliveries deletes the deliveries that were delivered or
// failed and made more than WebhookRetention ago, a thousand at a time,
// and returns how many it deleted. It is the scheduled job's work and
// does no authorization.
func (s *Service) PruneWebhookDeliveries(ctx context.Context) (int, error) {
	before := s.clock().Add(-WebhookRetention)
	total := 0
	for {
		n, err := s.st().PruneWebhookDeliveries(ctx, before, pruneWebhookBatch)
		total += n
		if err != nil || n < pruneWebhookBatch {
			return total, err
		}
	}
}
