//go:build unix

package nexus_test

import (
	"errors"
	"fmt"
	"testing"

	nexus "github.com/qe/nexus/sdk/go"
)

func TestDirectsArriveInOrder(t *testing.T) {
	app, owner := newApp(t)
	w := connect(t, token(t, owner, app), nexus.KindGoDefault)
	got := make(chan nexus.DirectMessage, 100)
	w.OnDirect(func(d nexus.DirectMessage) { got <- d })
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	const n = 50
	for i := 0; i < n; i++ {
		var opts []nexus.DirectOption
		if i == n-1 {
			opts = append(opts, nexus.WithAck())
		}
		if err := c.Direct(testContext(t), app, w.Identity().Resource, fmt.Sprint(i), opts...); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		d := receive(t, got, "direct")
		if d.Text != fmt.Sprint(i) || d.From.JID != c.JID() {
			t.Fatalf("direct %d: %+v", i, d)
		}
	}
}

func TestDirectRemoveHandler(t *testing.T) {
	app, owner := newApp(t)
	w := connect(t, token(t, owner, app), nexus.KindGoDefault)
	first := make(chan string, 10)
	second := make(chan string, 10)
	remove := w.OnDirect(func(d nexus.DirectMessage) { first <- d.Text })
	w.OnDirect(func(d nexus.DirectMessage) { second <- d.Text })
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	if err := c.Direct(testContext(t), app, w.Identity().Resource, "a", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	receive(t, first, "direct a (first)")
	receive(t, second, "direct a (second)")
	remove()
	if err := c.Direct(testContext(t), app, w.Identity().Resource, "b", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, second, "direct b"); got != "b" {
		t.Fatalf("second got %q", got)
	}
	select {
	case got := <-first:
		t.Fatalf("a removed handler got %q", got)
	default:
	}
}

func TestDirectErrors(t *testing.T) {
	app, owner := newApp(t)
	front := connect(t, token(t, owner, app), nexus.KindWebUO)
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	other, otherOwner := newApp(t)
	stranger := connect(t, token(t, otherOwner, other), nexus.KindWebUO)
	w := connect(t, token(t, owner, app), nexus.KindGoDefault)

	cases := []struct {
		name     string
		client   *nexus.Client
		app, res string
		want     error
	}{
		{"offline", c, app, "godefaultNobody", nexus.ErrOffline},
		{"not_a_worker", c, app, front.Identity().Resource, nexus.ErrNotAWorker},
		{"forbidden", stranger, app, w.Identity().Resource, nexus.ErrForbidden},
		{"not_found", c, "no-such-app-" + randomHex(3), "godefault1", nexus.ErrNotFound},
	}
	for _, tc := range cases {
		err := tc.client.Direct(testContext(t), tc.app, tc.res, "hi", nexus.WithAck())
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}
