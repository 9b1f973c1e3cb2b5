//go:build unix

package nexus_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
	"github.com/qe/nexus/sdk/go/nexustest"
)

// TestRefusedResubscribesAreTriedAgain: the edge paces joins of channels new to an app (per user:
// a burst, then a rate, refusing with rate_limited what would wait too long). A client with more
// subscriptions than that lets through at once comes back from a reconnect: the SDK reports the
// refused resubscribes and tries them again, with backoff and since/epoch, until every
// subscription flows again and has what was published meanwhile, once.
func TestRefusedResubscribesAreTriedAgain(t *testing.T) {
	const channels = 10
	paced := startPacedStack(t)
	ctx := testContext(t)
	app, owner := "gopaced-"+randomHex(3), "owner"+randomHex(6)
	if err := paced.CreateApp(ctx, app, owner); err != nil {
		t.Fatal(err)
	}
	tok, err := paced.Token(ctx, nexustest.TokenRequest{UID: owner, App: app})
	if err != nil {
		t.Fatal(err)
	}
	proxy := startCutProxy(t, paced.URL)
	states := make(chan nexus.State, 64)
	var mu sync.Mutex
	var refusals []string
	c := connectTo(t, nexus.Options{
		URL: proxy.URL, Token: tok, Kind: nexus.KindWebUO,
		Reconnect: &nexus.Backoff{InitialDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond},
		OnState:   func(s nexus.State) { states <- s },
		OnError: func(err error) {
			var e *nexus.Error
			if errors.As(err, &e) {
				mu.Lock()
				refusals = append(refusals, string(e.Code))
				mu.Unlock()
			}
		},
	})

	// One after another, so that the first subscribes wait their turn instead of being refused.
	events := make(chan string, 4*channels)
	names := make([]string, channels)
	for i := range names {
		names[i] = fmt.Sprintf("paced/%d", i)
		name := names[i]
		if _, err := c.Subscribe(ctx, name, func(m nexus.Message) { events <- name + " " + m.Text }); err != nil {
			t.Fatalf("subscribe %s: %v", name, err)
		}
	}

	proxy.cut()
	waitForState(t, states, nexus.StateDisconnected)
	proxy.restore()
	waitForState(t, states, nexus.StateConnected)

	pub := connectTo(t, nexus.Options{URL: paced.URL, Token: tok, Kind: nexus.KindGoDefault})
	for _, text := range []string{"after", "end"} {
		for _, name := range names {
			if err := pub.Publish(ctx, name, text, nexus.WithAck()); err != nil {
				t.Fatalf("publish %s to %s: %v", text, name, err)
			}
		}
	}

	// Each subscription gets "after" once (by a retried resubscribe's recovery, or live), then "end".
	got := map[string][]string{}
	for ended := 0; ended < channels; {
		var name, text string
		fmt.Sscan(receive(t, events, "a message on every channel"), &name, &text)
		got[name] = append(got[name], text)
		if text == "end" {
			ended++
		}
	}
	for _, name := range names {
		if fmt.Sprint(got[name]) != "[after end]" {
			t.Errorf("%s got %v, want [after end]", name, got[name])
		}
	}
	// The pacing did refuse some resubscribes (else this test would not test the retry).
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(refusals, string(nexus.CodeRateLimited)) {
		t.Fatalf("no rate_limited reported (errors: %v): the edge's pacing did not refuse a resubscribe", refusals)
	}
}

// startPacedStack starts a stack of its own whose join pacing lets 4 channels through at once,
// then 4 per second, none waiting more than 300 ms: a restore of 10 subscriptions is partly refused.
func startPacedStack(t *testing.T) *nexustest.Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := nexustest.Start(ctx, nexustest.Options{Vars: map[string]string{
		"NEXUS_NEW_CHANNELS_PER_SEC":    "4",
		"NEXUS_NEW_CHANNELS_BURST":      "4",
		"NEXUS_NEW_CHANNEL_MAX_WAIT_MS": "300",
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// connectTo opens a client with opts that the test closes when it ends.
func connectTo(t *testing.T, opts nexus.Options) *nexus.Client {
	t.Helper()
	c, err := nexus.Connect(testContext(t), opts)
	if err != nil {
		t.Fatalf("connect %s: %v", opts.Kind, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
