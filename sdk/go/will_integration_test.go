//go:build unix

package nexus_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
)

// cutter hands a client sockets it can cut at the TCP level, as a crash or a lost network would:
// no close frame, so the edge sees the connection die.
type cutter struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (k *cutter) options(o *nexus.Options) {
	dialer := &net.Dialer{}
	o.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err == nil {
			k.mu.Lock()
			k.conns = append(k.conns, conn)
			k.mu.Unlock()
		}
		return conn, err
	}}}
}

// cut closes every connection dialed so far.
func (k *cutter) cut() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, conn := range k.conns {
		_ = conn.Close()
	}
	k.conns = nil
}

// TestWillIsPublishedWhenTheSocketDies: a device's will reaches a panel subscribed to its channel,
// stamped with the device's identity, each time its socket dies (the will declared again after the
// reconnect), and no more once cleared.
func TestWillIsPublishedWhenTheSocketDies(t *testing.T) {
	app, owner := newApp(t)
	name := "status/" + randomHex(4)
	fast := func(o *nexus.Options) {
		o.Reconnect = &nexus.Backoff{InitialDelay: 50 * time.Millisecond, MaxDelay: 500 * time.Millisecond}
	}
	link, log := &cutter{}, newStateLog()
	device := connect(t, token(t, owner, app), nexus.KindGoDefault, fast, link.options, log.options)
	panel := connect(t, token(t, owner, app), nexus.KindWebUO)
	sub, err := panel.SubscribeChan(testContext(t), name)
	if err != nil {
		t.Fatal(err)
	}
	if err := device.SetWill(testContext(t), nexus.Will{Channel: name, Data: "offline"}); err != nil {
		t.Fatal(err)
	}
	next := func(want string) {
		t.Helper()
		m := receive(t, sub.Messages(), want)
		if m.Text != want || m.From.JID != device.JID() {
			t.Fatalf("got %q from %s, want %q from %s", m.Text, m.From.JID, want, device.JID())
		}
	}
	reconnected := func() {
		t.Helper()
		log.waitState(t, nexus.StateDisconnected)
		log.waitState(t, nexus.StateConnected)
	}

	link.cut()
	next("offline")
	reconnected()
	link.cut() // the will was declared again on the new socket
	next("offline")
	reconnected()

	if err := device.ClearWill(testContext(t)); err != nil {
		t.Fatal(err)
	}
	link.cut()
	reconnected()
	// A will published at the cut would come before this message.
	if err := device.Publish(testContext(t), name, "back", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	next("back")
}
