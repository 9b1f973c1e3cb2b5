//go:build unix

package nexus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	nexus "github.com/qe/nexus/sdk/go"
)

// announcedLimits reads the limits a raw welcome states.
func announcedLimits(t *testing.T, tok string) map[string]any {
	t.Helper()
	url := strings.Replace(stack.URL, "http", "ws", 1) + "/v1/connect?kind=godefault"
	ws, _, err := websocket.Dial(testContext(t), url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	_, data, err := ws.Read(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	var welcome struct {
		Limits map[string]any `json:"limits"`
	}
	if err := json.Unmarshal(data, &welcome); err != nil {
		t.Fatal(err)
	}
	return welcome.Limits
}

func requireAnnounced(t *testing.T, tok, limit string) {
	t.Helper()
	if _, ok := announcedLimits(t, tok)[limit]; !ok {
		t.Fatalf("welcome.limits does not announce %s (contract revision 2)", limit)
	}
}

func TestQuotaServedMethods(t *testing.T) {
	app, owner := newApp(t)
	tok := token(t, owner, app)
	requireAnnounced(t, tok, "maxServedMethods")
	w := connect(t, tok, nexus.KindGoDefault)
	limit := w.Limits().MaxServedMethods
	handler := func(_ context.Context, req *nexus.Request) (any, error) { return req.Method, nil }
	for i := 0; i < limit; i++ {
		if _, err := w.Serve(testContext(t), fmt.Sprint("m", i), handler); err != nil {
			t.Fatalf("method %d of %d: %v", i+1, limit, err)
		}
	}
	_, err := w.Serve(testContext(t), "one-too-many", handler)
	var e *nexus.Error
	if !errors.Is(err, nexus.ErrQuotaExceeded) || !errors.As(err, &e) || e.Retryable || e.Quota != "maxServedMethods" {
		t.Fatalf("serving %d methods: %v", limit+1, err)
	}
	// The previous set stays in force.
	if got, err := nexus.Call[string](testContext(t), w, app, "m0", nil); err != nil || got != "m0" {
		t.Fatalf("m0 after the refusal: %q, %v", got, err)
	}
	if _, err := w.API(testContext(t), app, "one-too-many", nil); !errors.Is(err, nexus.ErrNoResponders) {
		t.Fatalf("the refused method: %v", err)
	}
}

func TestQuotaPendingCalls(t *testing.T) {
	app, owner := newApp(t)
	tok := token(t, owner, app)
	requireAnnounced(t, tok, "maxPendingCalls")
	w := connect(t, tok, nexus.KindGoDefault)
	release := make(chan struct{})
	arrived := make(chan struct{}, 10000)
	if _, err := w.Serve(testContext(t), "hold", func(ctx context.Context, _ *nexus.Request) (any, error) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return "released", nil
	}); err != nil {
		t.Fatal(err)
	}
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	limit := c.Limits().MaxPendingCalls
	var wg sync.WaitGroup
	errs := make(chan error, limit)
	for i := 0; i < limit; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.API(testContext(t), app, "hold", nil)
			errs <- err
		}()
	}
	for i := 0; i < limit; i++ {
		receive(t, arrived, "a held call")
	}
	_, err := c.API(testContext(t), app, "hold", nil)
	var e *nexus.Error
	if !errors.Is(err, nexus.ErrQuotaExceeded) || !errors.As(err, &e) || e.Retryable || e.Quota != "maxPendingCalls" {
		t.Fatalf("call %d: %v", limit+1, err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a held call: %v", err)
		}
	}
}

func TestQuotaBlocksPerUser(t *testing.T) {
	app, owner := newApp(t)
	tok := token(t, owner, app)
	requireAnnounced(t, tok, "maxBlocksPerUser")
	first := connect(t, tok, nexus.KindWebUO)
	limit := first.Limits().MaxBlocksPerUser
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	failed := make(chan error, limit)
	for i := 1; i < limit; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := nexus.Connect(testContext(t), nexus.Options{URL: stack.URL, Token: tok, Kind: nexus.KindWebUO})
			if err != nil {
				failed <- err
				return
			}
			t.Cleanup(func() { c.Close() })
		}()
	}
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Fatalf("a block within the quota: %v", err)
	}
	_, err := nexus.Connect(testContext(t), nexus.Options{URL: stack.URL, Token: tok, Kind: nexus.KindWebUO})
	var e *nexus.Error
	// Refused at connect with 429: retryable, since a later connect may find a free place.
	if !errors.Is(err, nexus.ErrQuotaExceeded) || !errors.As(err, &e) || e.Status != http.StatusTooManyRequests ||
		!e.Retryable || e.Quota != "maxBlocksPerUser" {
		t.Fatalf("block %d: %#v", limit+1, err)
	}
}
