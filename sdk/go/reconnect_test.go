//go:build unix

package nexus_test

import (
	"context"
	"sync"
	"testing"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
)

// counter counts what a handler saw, by text.
type counter struct {
	mu   sync.Mutex
	seen map[string]int
	ch   chan string
}

func newCounter() *counter { return &counter{seen: map[string]int{}, ch: make(chan string, 100)} }

func (c *counter) add(text string) {
	c.mu.Lock()
	c.seen[text]++
	c.mu.Unlock()
	c.ch <- text
}

func (c *counter) count(text string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[text]
}

// waitFor reads until text arrives, failing the test after 10 s.
func (c *counter) waitFor(t *testing.T, text string) {
	t.Helper()
	for {
		if got := receive(t, c.ch, text); got == text {
			return
		}
	}
}

// TestReconnectAfterEdgeRestart restarts the whole local stack under a worker and a client: both
// come back with the same JIDs, served methods and subscriptions restored once each, a call made
// during the outage answered exactly once, and no message or Direct lost or delivered twice.
func TestReconnectAfterEdgeRestart(t *testing.T) {
	app, owner := newApp(t)
	name := "restart/" + randomHex(4)
	fast := func(o *nexus.Options) {
		o.Reconnect = &nexus.Backoff{InitialDelay: 50 * time.Millisecond, MaxDelay: 500 * time.Millisecond}
	}

	wlog, clog := newStateLog(), newStateLog()
	w := connect(t, token(t, owner, app), nexus.KindGoDefault, fast, wlog.options)
	calls, subA, subB, directs := newCounter(), newCounter(), newCounter(), newCounter()
	if _, err := w.Serve(testContext(t), "echo", func(_ context.Context, req *nexus.Request) (any, error) {
		var s string
		err := req.Decode(&s)
		calls.add(s)
		return s, err
	}); err != nil {
		t.Fatal(err)
	}
	for _, cnt := range []*counter{subA, subB} {
		if _, err := w.Subscribe(testContext(t), name, func(m nexus.Message) { cnt.add(m.Text) }); err != nil {
			t.Fatal(err)
		}
	}
	w.OnDirect(func(d nexus.DirectMessage) { directs.add(d.Text) })
	c := connect(t, token(t, owner, app), nexus.KindWebUO, fast, clog.options)
	csub, err := c.SubscribeChan(testContext(t), name)
	if err != nil {
		t.Fatal(err)
	}
	wJID, cJID := w.JID(), c.JID()

	if err := c.Publish(testContext(t), name, "before", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	subA.waitFor(t, "before")
	subB.waitFor(t, "before")
	if m := receive(t, csub.Messages(), "before"); m.Text != "before" {
		t.Fatalf("client got %q", m.Text)
	}

	stack.Halt()
	wlog.waitState(t, nexus.StateDisconnected)
	clog.waitState(t, nexus.StateDisconnected)
	// Made during the outage: it waits for the reconnect, goes out after the worker's own restore,
	// and is answered by that worker.
	queued := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_, err := w.API(ctx, app, "echo", "queued")
		queued <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := stack.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	wlog.waitState(t, nexus.StateConnected)
	clog.waitState(t, nexus.StateConnected)
	if err := receive(t, queued, "the queued call"); err != nil {
		t.Fatalf("queued call: %v", err)
	}
	if w.JID() != wJID || c.JID() != cJID {
		t.Fatalf("JIDs changed: %s -> %s, %s -> %s", wJID, w.JID(), cJID, c.JID())
	}

	got, err := nexus.Call[string](testContext(t), c, app, "echo", "after")
	if err != nil || got != "after" {
		t.Fatalf("call after restart: %q, %v", got, err)
	}
	if err := c.Direct(testContext(t), app, w.Identity().Resource, "direct-after", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	directs.waitFor(t, "direct-after")
	for _, text := range []string{"after", "end"} {
		if err := c.Publish(testContext(t), name, text, nexus.WithAck()); err != nil {
			t.Fatal(err)
		}
	}
	subA.waitFor(t, "end")
	subB.waitFor(t, "end")
	var texts []string
	for m := range csub.Messages() {
		texts = append(texts, m.Text)
		if m.Text == "end" {
			break
		}
	}
	if len(texts) != 2 || texts[0] != "after" {
		t.Fatalf("client's messages after the restart: %v", texts)
	}
	// The channel's history survived the restart (same data directory): the resubscribe recovered.
	if recovered, ok := csub.Recovered(); !ok || !recovered {
		t.Fatalf("Recovered() after the restart = %v, %v; want true, true", recovered, ok)
	}
	for what, n := range map[string]int{
		"call queued": calls.count("queued"), "call after": calls.count("after"),
		"a before": subA.count("before"), "a after": subA.count("after"), "b before": subB.count("before"), "b after": subB.count("after"),
		"direct": directs.count("direct-after"),
	} {
		if n != 1 {
			t.Errorf("%s: seen %d times, want once", what, n)
		}
	}

	blocks, err := c.Find(testContext(t), nexus.FindQuery{App: app, Kind: nexus.KindGoDefault})
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 || blocks[0].JID != wJID {
		t.Fatalf("find after restart: %+v", blocks)
	}
	if len(blocks[0].Methods) != 0 && (len(blocks[0].Methods) != 1 || blocks[0].Methods[0] != "echo") {
		t.Fatalf("served after restart: %v", blocks[0].Methods)
	}
}
