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
