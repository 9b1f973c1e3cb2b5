//go:build unix

package nexus_test

import (
	"context"
	"errors"
	"testing"

	nexus "github.com/qe/nexus/sdk/go"
)

type sumArgs struct{ A, B int }
type sumResult struct {
	Sum int `json:"sum"`
}

func serveSum(t *testing.T, w *nexus.Client) {
	t.Helper()
	_, err := w.Serve(testContext(t), "sum", func(_ context.Context, req *nexus.Request) (any, error) {
		var args sumArgs
		if err := req.Decode(&args); err != nil {
			return nil, err
		}
		return sumResult{Sum: args.A + args.B}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAPIRoundTrip(t *testing.T) {
	app, owner := newApp(t)
	w := connect(t, token(t, owner, app), nexus.KindGoDefault)
	serveSum(t, w)
	c := connect(t, token(t, owner, app), nexus.KindWebUO)

	got, err := nexus.Call[sumResult](testContext(t), c, app, "sum", sumArgs{A: 1, B: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got.Sum != 3 {
		t.Fatalf("sum = %d, want 3", got.Sum)
	}
	reply, err := c.API(testContext(t), app, "sum", map[string]int{"A": 20, "B": 22})
	if err != nil {
		t.Fatal(err)
	}
	if reply.From.JID != w.JID() {
		t.Fatalf("answered by %q, want %q", reply.From.JID, w.JID())
	}
	var r sumResult
	if err := reply.Decode(&r); err != nil || r.Sum != 42 {
		t.Fatalf("decode: %v %+v", err, r)
	}
}

func TestAPIErrorsAreSentinels(t *testing.T) {
	app, owner := newApp(t)
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	_, err := c.API(testContext(t), app, "nobody", nil)
	if !errors.Is(err, nexus.ErrNoResponders) {
		t.Fatalf("err = %v, want ErrNoResponders", err)
	}
	var e *nexus.Error
	if !errors.As(err, &e) || e.Code != nexus.CodeNoResponders || !e.Retryable {
		t.Fatalf("errors.As: %+v", e)
	}
}

func TestServeAnswersErrorsWithTheirCode(t *testing.T) {
	app, owner := newApp(t)
	w := connect(t, token(t, owner, app), nexus.KindGoDefault)
	handlers := map[string]nexus.Handler{
		"app-error": func(context.Context, *nexus.Request) (any, error) {
			return nil, nexus.NewError(nexus.CodeAppError, "out of stock")
		},
		"bad-input": func(_ context.Context, req *nexus.Request) (any, error) {
			var n int
			return nil, req.Decode(&n) // a string is not an int: bad_request
		},
		"plain": func(context.Context, *nexus.Request) (any, error) {
			return nil, errors.New("disk full")
		},
		"panics": func(context.Context, *nexus.Request) (any, error) {
			panic("bug")
		},
	}
	for method, h := range handlers {
		if _, err := w.Serve(testContext(t), method, h); err != nil {
			t.Fatal(err)
		}
	}
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	cases := []struct {
		method   string
		sentinel error
		message  string
	}{
		{"app-error", nexus.ErrAppError, "out of stock"},
		{"bad-input", nexus.ErrBadRequest, ""},
		{"plain", nexus.ErrAppError, "disk full"},
		{"panics", nexus.ErrAppError, ""},
	}
	for _, tc := range cases {
		_, err := c.API(testContext(t), app, tc.method, "text")
		var e *nexus.Error
		if !errors.Is(err, tc.sentinel) || !errors.As(err, &e) {
			t.Fatalf("%s: err = %v, want %v", tc.method, err, tc.sentinel)
		}
		if tc.message != "" && e.Message != tc.message {
			t.Fatalf("%s: message %q, want %q", tc.method, e.Message, tc.message)
		}
		if e.Retryable {
			t.Fatalf("%s: %s must not be retryable", tc.method, e.Code)
		}
	}
	// The worker survives its handler's panic.
	if _, err := c.API(testContext(t), app, "plain", nil); !errors.Is(err, nexus.ErrAppError) {
		t.Fatalf("after the panic: %v", err)
	}
}

func TestServeWildcardAndStop(t *testing.T) {
	app, owner := newApp(t)
	w := connect(t, token(t, owner, app), nexus.KindGoDefault)
	svc, err := w.Serve(testContext(t), "*", func(_ context.Context, req *nexus.Request) (any, error) {
		return req.Method, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	got, err := nexus.Call[string](testContext(t), c, app, "any.method/at:all", nil)
	if err != nil || got != "any.method/at:all" {
		t.Fatalf("got %q, %v", got, err)
	}
	if err := svc.Stop(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.API(testContext(t), app, "x", nil); !errors.Is(err, nexus.ErrNoResponders) {
		t.Fatalf("after Stop: %v, want ErrNoResponders", err)
	}
}

func TestAPIRoundRobinAndTargets(t *testing.T) {
	app, owner := newApp(t)
	serveName := func(w *nexus.Client) {
		_, err := w.Serve(testContext(t), "who", func(context.Context, *nexus.Request) (any, error) { return w.JID(), nil })
		if err != nil {
			t.Fatal(err)
		}
	}
	w1 := connect(t, token(t, owner, app), nexus.KindGoDefault)
	w2 := connect(t, token(t, owner, app), nexus.KindGoDefault)
	serveName(w1)
	serveName(w2)
	user := newUID()
	if err := stack.Grant(testContext(t), app, user, "get"); err != nil {
		t.Fatal(err)
	}
	uw := connect(t, token(t, user, app), nexus.KindGoDefault)
	serveName(uw)
	c := connect(t, token(t, owner, app), nexus.KindWebUO)

	seen := map[string]int{}
	for i := 0; i < 4; i++ {
		jid, err := nexus.Call[string](testContext(t), c, app, "who", nil)
		if err != nil {
			t.Fatal(err)
		}
		seen[jid]++
	}
	if seen[w1.JID()] != 2 || seen[w2.JID()] != 2 {
		t.Fatalf("round-robin over the owner's workers: %v", seen)
	}
	got, err := nexus.Call[string](testContext(t), c, app, "who", nil, nexus.WithResource(w2.Identity().Resource))
	if err != nil || got != w2.JID() {
		t.Fatalf("WithResource: %q, %v", got, err)
	}
	got, err = nexus.Call[string](testContext(t), c, app, "who", nil, nexus.WithUID(user))
	if err != nil || got != uw.JID() {
		t.Fatalf("WithUID: %q, %v", got, err)
	}
	got, err = nexus.Call[string](testContext(t), c, app, "who", nil, nexus.WithUID(user), nexus.WithResource(uw.Identity().Resource))
	if err != nil || got != uw.JID() {
		t.Fatalf("WithUID+WithResource: %q, %v", got, err)
	}
}
