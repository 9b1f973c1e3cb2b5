//go:build unix

package nexus_test

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// cutProxy forwards loopback TCP connections to the edge; cut drops every one of them and refuses
// new ones until restore, as a network that went away while the edge stays up.
type cutProxy struct {
	URL    string
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]struct{}
}

func startCutProxy(t *testing.T, edgeURL string) *cutProxy {
	t.Helper()
	u, err := url.Parse(edgeURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{URL: "http://" + ln.Addr().String(), ln: ln, target: u.Host, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.cut()
	})
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

// track adds c to the open connections, or closes it when the proxy is down.
func (p *cutProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *cutProxy) pipe(client net.Conn) {
	if !p.track(client) {
		return
	}
	edge, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(edge) {
		client.Close()
		return
	}
	go func() {
		_, _ = io.Copy(edge, client)
		edge.Close()
	}()
	_, _ = io.Copy(client, edge)
	client.Close()
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, edge)
	p.mu.Unlock()
}

// cut closes every forwarded connection and refuses new ones until restore.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
