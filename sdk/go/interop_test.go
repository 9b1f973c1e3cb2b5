//go:build unix

package nexus_test

import (
	"context"
	"errors"
	"testing"

	nexus "github.com/qe/nexus/sdk/go"
	"github.com/qe/nexus/sdk/go/nexustest"
)

func startPeer(t *testing.T, tok, kind string) (*nexustest.TSPeer, map[string]any) {
	t.Helper()
	peer, err := stack.StartTSPeer(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(peer.Close)
	res, err := peer.Do(testContext(t), map[string]any{"op": "connect", "url": stack.URL, "token": tok, "kind": kind})
	if err != nil {
		t.Fatal(err)
	}
	return peer, res
}

// TestGoWorkerServesTypeScriptCaller: a TypeScript SDK client calls, Directs and subscribes to a Go worker.
func TestGoWorkerServesTypeScriptCaller(t *testing.T) {
	app, owner := newApp(t)
	w := connect(t, token(t, owner, app), nexus.KindGoDefault)
	serveSum(t, w)
	if _, err := w.Serve(testContext(t), "fail", func(context.Context, *nexus.Request) (any, error) {
		return nil, nexus.NewError(nexus.CodeAppError, "no stock")
	}); err != nil {
		t.Fatal(err)
	}
	directs := make(chan nexus.DirectMessage, 1)
	w.OnDirect(func(d nexus.DirectMessage) { directs <- d })
	peer, hello := startPeer(t, token(t, owner, app), nexus.KindWebUO)

	res, err := peer.Do(testContext(t), map[string]any{"op": "api", "app": app, "method": "sum", "data": map[string]int{"A": 2, "B": 40}})
	if err != nil {
		t.Fatal(err)
	}
	if sum := res["data"].(map[string]any)["sum"]; sum != float64(42) {
		t.Fatalf("TypeScript caller got %v", res)
	}
	_, err = peer.Do(testContext(t), map[string]any{"op": "api", "app": app, "method": "fail"})
	var pe *nexustest.PeerError
	if !errors.As(err, &pe) || pe.Code != "app_error" || pe.Message != "no stock" || pe.Retryable {
		t.Fatalf("TypeScript caller's error: %v", err)
	}
	if _, err := peer.Do(testContext(t), map[string]any{"op": "direct", "app": app, "resource": w.Identity().Resource, "text": "from ts"}); err != nil {
		t.Fatal(err)
	}
	if d := receive(t, directs, "direct from ts"); d.Text != "from ts" || d.From.JID != hello["jid"] {
		t.Fatalf("direct = %+v", d)
	}
	name := "interop/" + randomHex(4)
	if _, err := peer.Do(testContext(t), map[string]any{"op": "subscribe", "channel": name}); err != nil {
		t.Fatal(err)
	}
	if err := w.Publish(testContext(t), name, "from go", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	ev := receive(t, peer.Events(), "message at the ts peer")
	if ev["event"] != "msg" || ev["text"] != "from go" || ev["from"] != w.JID() {
		t.Fatalf("ts peer got %v", ev)
	}
}

// TestTypeScriptWorkerServesGoCaller: a Go client calls, Directs and subscribes to a TypeScript SDK worker.
func TestTypeScriptWorkerServesGoCaller(t *testing.T) {
	app, owner := newApp(t)
	peer, hello := startPeer(t, token(t, owner, app), nexus.KindDefault)
	if _, err := peer.Do(testContext(t), map[string]any{"op": "serve", "method": "echo"}); err != nil {
		t.Fatal(err)
	}
	c := connect(t, token(t, owner, app), nexus.KindGoDefault)
	type echoed struct {
		Echo map[string]string `json:"echo"`
		From string            `json:"from"`
		By   string            `json:"by"`
	}
	got, err := nexus.Call[echoed](testContext(t), c, app, "echo", map[string]string{"hello": "ts"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Echo["hello"] != "ts" || got.From != c.JID() || got.By != hello["jid"] {
		t.Fatalf("echo = %+v", got)
	}
	_, err = c.API(testContext(t), app, "echo", map[string]string{"fail": "broken"})
	var e *nexus.Error
	if !errors.As(err, &e) || e.Code != nexus.CodeAppError || e.Message != "broken" {
		t.Fatalf("TypeScript worker's error: %v", err)
	}
	if err := c.Direct(testContext(t), app, hello["resource"].(string), "from go", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	if ev := receive(t, peer.Events(), "direct at the ts peer"); ev["event"] != "direct" || ev["text"] != "from go" || ev["from"] != c.JID() {
		t.Fatalf("ts peer got %v", ev)
	}
	name := "interop/" + randomHex(4)
	sub, err := c.SubscribeChan(testContext(t), name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := peer.Do(testContext(t), map[string]any{"op": "publish", "channel": name, "text": "from ts"}); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, sub.Messages(), "message from ts"); m.Text != "from ts" || m.From.JID != hello["jid"] {
		t.Fatalf("message = %+v", m)
	}
	blocks, err := c.Find(testContext(t), nexus.FindQuery{App: app, Kind: nexus.KindDefault})
	if err != nil || len(blocks) != 1 || blocks[0].JID != hello["jid"] {
		t.Fatalf("find the ts worker: %+v, %v", blocks, err)
	}
}
