package storetest

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections to a server, and can cut them as a
// database restart does (Cut: connections reset, new ones refused) or as a
// network partition does (Blackhole: connections open, nothing arrives).
type Proxy struct {
	t      testing.TB
	target string
	ln     net.Listener

	mu      sync.Mutex
	cut     bool
	hole    bool
	conns   map[net.Conn]bool // true: it lost bytes in a black hole
	dropped int64             // bytes lost in black holes
}

// NewProxy listens on a free local port and forwards each connection to
// target until the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t, target: target, ln: ln, conns: map[net.Conn]bool{}}
	t.Cleanup(func() {
		ln.Close()
		p.Cut()
	})
	go p.serve()
	return p
}

// Addr returns the address to connect to instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every connection and refuses new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Blackhole keeps connections open and accepts new ones, but drops
// whatever either side sends until Restore, as a partition does.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hole = true
	for c := range p.conns {
		p.conns[c] = true
	}
}

// Restore forwards connections again. Those that lost bytes in a black
// hole are closed: their two ends no longer agree, as after a partition
// that outlived their timeouts.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut, p.hole = false, false
	for c, lost := range p.conns {
		if lost {
			c.Close()
			delete(p.conns, c)
		}
	}
}

// Dropped returns how many bytes black holes have lost: a test waits for
// it to grow to know that a request reached the database.
func (p *Proxy) Dropped() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

// holed reports whether the n bytes for c are dropped, and counts them and
// marks c as having lost some if so.
func (p *Proxy) holed(c net.Conn, n int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hole {
		p.conns[c] = true
		p.dropped += int64(n)
	}
	return p.hole
}

func (p *Proxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(client)
	}
}

// track registers c, or closes it and reports false while cut.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		c.Close()
		return false
	}
	p.conns[c] = p.hole
	return true
}

func (p *Proxy) forward(client net.Conn) {
	if !p.track(client) {
		return
	}
	server, err := net.Dial("tcp", p.target) // in a black hole too: the server then waits for a handshake that never comes
	if err != nil {
		client.Close()
		return
	}
	if !p.track(server) {
		client.Close()
		return
	}
	done := make(chan struct{}, 2)
	copyHalf := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 && !p.holed(dst, n) {
				if _, err := dst.Write(buf[:n]); err != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		dst.Close()
		src.Close()
		done <- struct{}{}
	}
	go copyHalf(server, client)
	go copyHalf(client, server)
	<-done
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}
