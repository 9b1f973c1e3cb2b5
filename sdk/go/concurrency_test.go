//go:build unix

package nexus_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	nexus "github.com/qe/nexus/sdk/go"
)

// TestConcurrentUseThenClose drives one client from many goroutines and closes it mid-flight:
// every call returns (an answer or a non-retryable disconnected error), nothing hangs, and -race
// sees no data race.
func TestConcurrentUseThenClose(t *testing.T) {
	app, owner := newApp(t)
	c := connect(t, token(t, owner, app), nexus.KindGoDefault)
	if _, err := c.Serve(testContext(t), "echo", func(_ context.Context, req *nexus.Request) (any, error) {
		return req.Data, nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	var wg sync.WaitGroup
	started := make(chan struct{}, 32)
	unexpected := make(chan error, 1000)
	check := func(err error) {
		var e *nexus.Error
		if err != nil && !(errors.As(err, &e) && e.Code == nexus.CodeDisconnected) {
			unexpected <- err
		}
	}
	for g := 0; g < 8; g++ {
		wg.Add(4)
		go func() {
			defer wg.Done()
			started <- struct{}{}
			for i := 0; ; i++ {
				_, err := c.API(ctx, app, "echo", i)
				check(err)
				if err != nil {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				// Acked, so each goroutine has one publish in flight and the edge no backlog.
				err := c.Publish(ctx, fmt.Sprint("load/", g), "x", nexus.WithAck())
				check(err)
				if err != nil {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				sub, err := c.SubscribeChan(ctx, fmt.Sprint("load/", g, "/", i%4))
				check(err)
				if err != nil {
					return
				}
				check(sub.Unsubscribe(ctx))
			}
		}()
		go func() {
			defer wg.Done()
			for {
				svc, err := c.Serve(ctx, fmt.Sprint("m", g), func(context.Context, *nexus.Request) (any, error) { return nil, nil })
				check(err)
				if err != nil {
					return
				}
				check(svc.Stop(ctx))
			}
		}()
	}
	for i := 0; i < 8; i++ {
		receive(t, started, "a caller starting")
	}
	if _, err := c.Find(ctx, nexus.FindQuery{}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	wg.Wait()
	close(unexpected)
	for err := range unexpected {
		t.Errorf("unexpected: %v", err)
	}
}

// TestUnsubscribeFromItsOwnHandler: a handler may end its own subscription.
func TestUnsubscribeFromItsOwnHandler(t *testing.T) {
	app, owner := newApp(t)
	c := connect(t, token(t, owner, app), nexus.KindGoDefault)
	name := "self/" + randomHex(4)
	done := make(chan error, 1)
	var sub *nexus.Subscription
	ready := make(chan struct{})
	sub, err := c.Subscribe(testContext(t), name, func(m nexus.Message) {
		<-ready
		done <- sub.Unsubscribe(context.Background())
	})
	if err != nil {
		t.Fatal(err)
	}
	close(ready)
	if err := c.Publish(testContext(t), name, "stop", nexus.WithAck()); err != nil {
		t.Fatal(err)
	}
	if err := receive(t, done, "unsubscribe from the handler"); err != nil {
		t.Fatal(err)
	}
	<-sub.Done()
}
