//go:build unix

package nexus_test

import (
	"errors"
	"fmt"
	"testing"

	nexus "github.com/qe/nexus/sdk/go"
	"github.com/qe/nexus/sdk/go/nexustest"
)

func TestSubscribeRetainedThenLiveInOrder(t *testing.T) {
	app, owner := newApp(t)
	name := "prices/" + randomHex(4)
	pub := connect(t, token(t, owner, app), nexus.KindGoDefault)
	if err := pub.Publish(testContext(t), name, "retained-1", nexus.Retain(), nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	c := connect(t, token(t, newUID(), app), nexus.KindWebUO)
	sub, err := c.SubscribeChan(testContext(t), name)
	if err != nil {
		t.Fatal(err)
	}
	first := receive(t, sub.Messages(), "retained message")
	if !first.Retained || first.Text != "retained-1" || first.From.JID != pub.JID() || first.Channel != name {
		t.Fatalf("first = %+v", first)
	}
	for i := 0; i < 20; i++ {
		if err := pub.Publish(testContext(t), name, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	last := first.Seq
	for i := 0; i < 20; i++ {
		m := receive(t, sub.Messages(), "live message")
		if m.Text != fmt.Sprint(i) || m.Retained || m.Seq != last+1 {
			t.Fatalf("message %d = %+v (previous seq %d)", i, m, last)
		}
		last = m.Seq
	}
	if err := sub.Unsubscribe(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if _, open := <-sub.Messages(); open {
		t.Fatal("Messages() still open after Unsubscribe")
	}
}

func TestLocalSubscriptionsShareOneWireSub(t *testing.T) {
	app, owner := newApp(t)
	name := "shared/" + randomHex(4)
	c := connect(t, token(t, owner, app), nexus.KindGoDefault)
	a := make(chan nexus.Message, 10)
	b := make(chan nexus.Message, 10)
	subA, err := c.Subscribe(testContext(t), name, func(m nexus.Message) { a <- m })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(testContext(t), name, func(m nexus.Message) { b <- m }); err != nil {
		t.Fatal(err)
	}
	// The publisher receives its own message too.
	if err := c.Publish(testContext(t), name, "one", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	receive(t, a, "message on a")
	receive(t, b, "message on b")
	if err := subA.Unsubscribe(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(testContext(t), name, "two", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, b, "second message on b"); m.Text != "two" {
		t.Fatalf("b got %q", m.Text)
	}
	if len(a) != 0 || len(b) != 0 {
		t.Fatalf("duplicates: a=%d b=%d", len(a), len(b))
	}
}

func TestChannelErrors(t *testing.T) {
	app, owner := newApp(t)
	tok := token(t, owner, app, func(r *nexustest.TokenRequest) {
		r.Pub = []string{"mine/*"}
		r.Sub = []string{"mine/*"}
	})
	c := connect(t, tok, nexus.KindWebUO)
	if _, err := c.SubscribeChan(testContext(t), "bad channel!"); !errors.Is(err, nexus.ErrBadRequest) {
		t.Fatalf("bad name: %v", err)
	}
	if err := c.Publish(testContext(t), "", "x"); !errors.Is(err, nexus.ErrBadRequest) {
		t.Fatalf("empty name: %v", err)
	}
	requireTokenCarries(t, tok, "caps") // the capabilities travel in one caps claim: "sub" is the uid
	if _, err := c.SubscribeChan(testContext(t), "theirs/x"); !errors.Is(err, nexus.ErrForbidden) {
		t.Fatalf("sub outside capabilities: %v", err)
	}
	if err := c.Publish(testContext(t), "theirs/x", "x", nexus.WithAck()); !errors.Is(err, nexus.ErrForbidden) {
		t.Fatalf("pub outside capabilities: %v", err)
	}
	if err := c.Publish(testContext(t), "mine/x", "x", nexus.WithAck()); err != nil {
		t.Fatalf("pub inside capabilities: %v", err)
	}
}
