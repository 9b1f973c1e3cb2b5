package nexus

import (
	"context"
	"strings"
	"testing"
	"time"
)

// nextWill waits for the next will frame the client writes on sock and returns it.
func nextWill(t *testing.T, sock *socket) outFrame {
	t.Helper()
	return nextWritten(t, sock, "will", func(f outFrame) bool { return f.req != nil && strings.HasPrefix(f.req.what, "will") })
}

// nextWritten waits for the next frame the client writes on sock that match accepts, dropping the
// frames before it; what names the frame in the failure.
func nextWritten(t *testing.T, sock *socket, what string, match func(outFrame) bool) outFrame {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		sock.mu.Lock()
		written := sock.queue
		sock.queue = nil
		sock.mu.Unlock()
		for _, f := range written {
			if match(f) {
				return f
			}
		}
		select {
		case <-sock.wake: // the client queued a frame
		case <-timeout:
			t.Fatalf("no %s written within 5 s", what)
		}
	}
}

// within receives from ch, failing the test after 5 s.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5 s", what)
		panic("unreachable")
	}
}

// reconnect drops sock for a fresh one and runs, in the background, what a welcome starts: the
// restore, then the connected state.
func reconnect(c *Client, sock *socket) (*socket, chan bool) {
	c.dropped(sock)
	fresh := newSocket(c.ctx, nil)
	c.mu.Lock()
	c.sock = fresh
	c.mu.Unlock()
	restored := make(chan bool, 1)
	go func() {
		ok := c.restore(fresh)
		c.mu.Lock()
		c.setStateLocked(StateConnected) // as run does after a restore
		c.flushLocked()
		c.mu.Unlock()
		restored <- ok
	}()
	return fresh, restored
}

func TestWillIsDeclaredAgainAfterReconnectUntilCleared(t *testing.T) {
	c, sock := newOfflineClient(func(err error) { t.Errorf("OnError: %v", err) })
	t.Cleanup(c.cancel)
	const set = `{"t":"will","channel":"status/dev1","data":"offline","retain":true}`

	done := make(chan error, 1)
	go func() {
		done <- c.SetWill(context.Background(), Will{Channel: "status/dev1", Data: "offline", Retain: true})
	}()
	f := nextWill(t, sock)
	sameJSON(t, "SetWill", f.text, []byte(strings.Replace(set, `"t":"will"`, `"t":"will","id":"`+f.req.id+`"`, 1)))
	c.dispatch(sock, []byte(`{"t":"ack","id":"`+f.req.id+`"}`))
	if err := within(t, done, "SetWill"); err != nil {
		t.Fatal(err)
	}

	// The edge forgot the will with the socket: the restore declares it again and waits for its ack.
	sock, restored := reconnect(c, sock)
	f = nextWill(t, sock)
	sameJSON(t, "restore", f.text, []byte(strings.Replace(set, `"t":"will"`, `"t":"will","id":"`+f.req.id+`"`, 1)))
	c.dispatch(sock, []byte(`{"t":"ack","id":"`+f.req.id+`"}`))
	if !within(t, restored, "restore") {
		t.Fatal("restore ended before the will's ack")
	}

	go func() { done <- c.ClearWill(context.Background()) }()
	f = nextWill(t, sock)
	sameJSON(t, "ClearWill", f.text, []byte(`{"t":"will","id":"`+f.req.id+`","clear":true}`))
	c.dispatch(sock, []byte(`{"t":"ack","id":"`+f.req.id+`"}`))
	if err := within(t, done, "ClearWill"); err != nil {
		t.Fatal(err)
	}

	// Cleared: the next restore declares no will (it has nothing to wait for, so it is done at once).
	sock, restored = reconnect(c, sock)
	if !within(t, restored, "restore") {
		t.Fatal("restore failed")
	}
	sock.mu.Lock()
	defer sock.mu.Unlock()
	for _, f := range sock.queue {
		t.Fatalf("after ClearWill, restore wrote %s", f.text)
	}
}

func TestRefusedWillKeepsThePreviousOne(t *testing.T) {
	c, sock := newOfflineClient(nil)
	t.Cleanup(c.cancel)
	done := make(chan error, 1)
	for i, answer := range []string{`{"t":"ack","id":"%s"}`, `{"t":"error","id":"%s","code":"forbidden","message":"no pub"}`} {
		channel := []string{"status/dev1", "secret/dev1"}[i]
		go func() { done <- c.SetWill(context.Background(), Will{Channel: channel, Data: "offline"}) }()
		f := nextWill(t, sock)
		c.dispatch(sock, []byte(strings.Replace(answer, "%s", f.req.id, 1)))
		err := within(t, done, "SetWill")
		if (i == 1) != (err != nil) || (err != nil && !strings.Contains(err.Error(), "forbidden")) {
			t.Fatalf("SetWill %s: %v", channel, err)
		}
	}
	sock, _ = reconnect(c, sock)
	if f := nextWill(t, sock); !strings.Contains(string(f.text), `"channel":"status/dev1"`) {
		t.Fatalf("restored %s, want the will before the refused one", f.text)
	}
}
