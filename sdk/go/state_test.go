//go:build unix

package nexus_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
	"github.com/qe/nexus/sdk/go/nexustest"
)

// stateLog collects OnState and OnError callbacks for a test to wait on.
type stateLog struct {
	states chan nexus.State
	errs   chan error
}

func newStateLog() *stateLog {
	return &stateLog{states: make(chan nexus.State, 64), errs: make(chan error, 64)}
}

func (l *stateLog) options(o *nexus.Options) {
	o.OnState = func(s nexus.State) { l.states <- s }
	o.OnError = func(err error) { l.errs <- err }
}

// waitState waits until the client reports want, failing on a state not in allowed.
func (l *stateLog) waitState(t *testing.T, want nexus.State) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case s := <-l.states:
			if s == want {
				return
			}
		case <-deadline:
			t.Fatalf("state %s not reached within 20 s", want)
		}
	}
}

func TestStatesAndClose(t *testing.T) {
	app, owner := newApp(t)
	log := newStateLog()
	c := connect(t, token(t, owner, app), nexus.KindGoDefault, log.options)
	// A client starts in StateConnecting, so the first change reported is to StateConnected.
	if got := receive(t, log.states, "state"); got != nexus.StateConnected {
		t.Fatalf("first state change %s", got)
	}
	if c.State() != nexus.StateConnected || c.JID() == "" || c.Limits().MaxFrameBytes == 0 {
		t.Fatalf("state %s jid %q limits %+v", c.State(), c.JID(), c.Limits())
	}
	sub, err := c.SubscribeChan(testContext(t), "closing/"+randomHex(4))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, log.states, "state"); got != nexus.StateClosed {
		t.Fatalf("after Close: %s", got)
	}
	if _, open := <-sub.Messages(); open {
		t.Fatal("subscription channel open after Close")
	}
	_, err = c.API(testContext(t), app, "x", nil)
	var e *nexus.Error
	if !errors.Is(err, nexus.ErrDisconnected) || !errors.As(err, &e) || e.Retryable {
		t.Fatalf("API after Close: %v (retryable must be false)", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestReplacedConnectionIsFinal(t *testing.T) {
	app, owner := newApp(t)
	log := newStateLog()
	first := connect(t, token(t, owner, app), nexus.KindGoDefault, log.options)
	connect(t, token(t, owner, app), "", func(o *nexus.Options) { o.Resource = first.Identity().Resource })
	log.waitState(t, nexus.StateClosed)
	var e *nexus.Error
	if err := receive(t, log.errs, "close error"); !errors.As(err, &e) || e.CloseCode != 4009 || e.Code != nexus.CodeDisconnected || e.Retryable {
		t.Fatalf("OnError = %v", err)
	}
	if err := first.Publish(testContext(t), "x", "y"); !errors.As(err, &e) || e.CloseCode != 4009 {
		t.Fatalf("publish on a replaced client: %v", err)
	}
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	app, owner := newApp(t)
	short := func(r *nexustest.TokenRequest) { r.TTLSeconds = 2 }

	// Without TokenFunc, close 4001 is final: unauthorized.
	log := newStateLog()
	connect(t, token(t, owner, app, short), nexus.KindGoDefault, log.options)

	// With TokenFunc, 4001 asks for a new token and reconnects to the same JID.
	asked := make(chan struct{}, 10)
	relog := newStateLog()
	ctx := context.Background()
	var first = true
	c := connect(t, "", nexus.KindGoDefault, relog.options, func(o *nexus.Options) {
		o.TokenFunc = func(ctx context.Context) (string, error) {
			asked <- struct{}{}
			if first {
				first = false
				return stack.Token(ctx, nexustest.TokenRequest{UID: owner, App: app, TTLSeconds: 2})
			}
			return stack.Token(ctx, nexustest.TokenRequest{UID: owner, App: app})
		}
	})
	jid := c.JID()
	receive(t, asked, "first token")

	log.waitState(t, nexus.StateClosed)
	var e *nexus.Error
	if err := receive(t, log.errs, "4001 error"); !errors.As(err, &e) || e.CloseCode != 4001 || !errors.Is(err, nexus.ErrUnauthorized) {
		t.Fatalf("OnError = %v", err)
	}

	select {
	case <-asked:
	case <-time.After(60 * time.Second):
		t.Fatal("TokenFunc not asked again after 4001")
	}
	relog.waitState(t, nexus.StateConnected)
	if c.JID() != jid {
		t.Fatalf("JID changed across 4001: %s -> %s", jid, c.JID())
	}
	if _, err := c.Find(ctx, nexus.FindQuery{}); err != nil {
		t.Fatal(err)
	}
}

func TestConnectRefusals(t *testing.T) {
	app, owner := newApp(t)
	cases := []struct {
		name   string
		opts   nexus.Options
		want   error
		status int
	}{
		{"bad token", nexus.Options{Token: "not-a-jwt", Kind: nexus.KindGoDefault}, nexus.ErrUnauthorized, http.StatusUnauthorized},
		{"kind not allowed", nexus.Options{Token: token(t, owner, app, func(r *nexustest.TokenRequest) { r.Kinds = []string{nexus.KindWebUO} }), Kind: nexus.KindGoDefault}, nexus.ErrForbidden, http.StatusForbidden},
		{"unknown kind", nexus.Options{Token: token(t, owner, app), Kind: "cobol"}, nexus.ErrBadRequest, http.StatusBadRequest},
		{"malformed resource", nexus.Options{Token: token(t, owner, app), Resource: "godefault-x!"}, nexus.ErrBadRequest, http.StatusBadRequest},
	}
	for _, tc := range cases {
		tc.opts.URL = stack.URL
		_, err := nexus.Connect(testContext(t), tc.opts)
		var e *nexus.Error
		if !errors.Is(err, tc.want) || !errors.As(err, &e) || e.Status != tc.status || e.Retryable {
			t.Fatalf("%s: %v (status %d), want %v", tc.name, err, e.Status, tc.want)
		}
	}
	_, err := nexus.Connect(testContext(t), nexus.Options{URL: "http://127.0.0.1:1", Token: "x", Kind: nexus.KindGoDefault})
	if !errors.Is(err, nexus.ErrDisconnected) {
		t.Fatalf("unreachable edge: %v", err)
	}
	_, err = nexus.Connect(testContext(t), nexus.Options{URL: stack.URL, Token: "x"})
	if !errors.Is(err, nexus.ErrBadRequest) {
		t.Fatalf("no kind: %v", err)
	}
}
