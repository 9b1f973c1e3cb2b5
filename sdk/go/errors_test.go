//go:build unix

package nexus_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
)

// TestAPIErrorCodes provokes every API failure a caller can meet and checks its sentinel and Retryable.
func TestAPIErrorCodes(t *testing.T) {
	app, owner := newApp(t)
	w := connect(t, token(t, owner, app), nexus.KindGoDefault)
	started := make(chan struct{}, 1)
	if _, err := w.Serve(testContext(t), "slow", func(ctx context.Context, _ *nexus.Request) (any, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	front := connect(t, token(t, owner, app), nexus.KindWebUO)
	other, otherOwner := newApp(t)
	stranger := connect(t, token(t, otherOwner, other), nexus.KindWebUO)

	check := func(name string, err, want error, retryable bool) {
		t.Helper()
		var e *nexus.Error
		if !errors.Is(err, want) || !errors.As(err, &e) || e.Retryable != retryable {
			t.Fatalf("%s: err = %#v, want %v (retryable %v)", name, err, want, retryable)
		}
	}

	_, err := c.API(testContext(t), "no-such-app-"+randomHex(3), "x", nil)
	check("unknown app", err, nexus.ErrNotFound, false)
	_, err = stranger.API(testContext(t), app, "slow", nil)
	check("no grant", err, nexus.ErrForbidden, false)
	_, err = c.API(testContext(t), app, "x", nil, nexus.WithResource(front.Identity().Resource))
	check("a frontend target", err, nexus.ErrNotAWorker, false)
	_, err = c.API(testContext(t), app, "x", nil, nexus.WithResource("godefaultGone"))
	check("an offline target", err, nexus.ErrNoResponders, true)
	_, err = c.API(testContext(t), app, "bad method name!", nil)
	check("a malformed call", err, nexus.ErrBadRequest, false)
	_, err = c.API(testContext(t), app, "slow", strings.Repeat("x", 300*1024))
	check("too large", err, nexus.ErrTooLarge, false)

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	_, err = c.API(ctx, app, "slow", nil)
	cancel()
	check("timeout", err, nexus.ErrTimeout, true)
	receive(t, started, "the slow call")

	go func() {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
		}
		w.Close()
	}()
	_, err = c.API(testContext(t), app, "slow", nil)
	check("worker gone", err, nexus.ErrWorkerGone, true)

	// A cancelled context is the context's error, not a Nexus code.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err = c.API(ctx, app, "slow", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestServeFromAFrontendIsNotAWorker(t *testing.T) {
	app, owner := newApp(t)
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	_, err := c.Serve(testContext(t), "sum", func(context.Context, *nexus.Request) (any, error) { return nil, nil })
	if !errors.Is(err, nexus.ErrNotAWorker) {
		t.Fatalf("serve from webuo: %v", err)
	}
	if _, err := c.Serve(testContext(t), "bad name!", func(context.Context, *nexus.Request) (any, error) { return nil, nil }); !errors.Is(err, nexus.ErrBadRequest) {
		t.Fatalf("bad method name: %v", err)
	}
}

// TestFloodIsRateLimitedThenClosedByPolicy sends frames far past the per-connection rate: the
// refused ones are reported as rate_limited and past the abuse limit the edge closes with 4008,
// which is final. The frames are fire-and-forget Directs to an offline worker of the caller's own
// app, which the app object drops at once, so the writer is not held back by round trips and the
// flood costs the shared local stack little.
func TestFloodIsRateLimitedThenClosedByPolicy(t *testing.T) {
	app, owner := newApp(t)
	var rateLimited, policy atomic.Bool
	closed := make(chan struct{})
	c := connect(t, token(t, owner, app), nexus.KindGoDefault, func(o *nexus.Options) {
		o.OnError = func(err error) {
			var e *nexus.Error
			if errors.Is(err, nexus.ErrRateLimited) {
				rateLimited.Store(true)
			}
			if errors.As(err, &e) && e.CloseCode == 4008 && errors.Is(err, nexus.ErrForbidden) && !e.Retryable {
				policy.Store(true)
			}
		}
		o.OnState = func(s nexus.State) {
			if s == nexus.StateClosed {
				close(closed)
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c.Direct(ctx, app, "godefaultNobodyHere", "x") == nil {
			}
		}()
	}
	wg.Wait()
	select {
	case <-closed:
	case <-ctx.Done():
	}
	var e *nexus.Error
	err := c.Direct(context.Background(), app, "godefaultNobodyHere", "x")
	if !rateLimited.Load() || !policy.Load() || !errors.As(err, &e) || e.CloseCode != 4008 {
		t.Fatalf("rate_limited seen %v, close 4008 seen %v, state %s, after: %v", rateLimited.Load(), policy.Load(), c.State(), err)
	}
}
