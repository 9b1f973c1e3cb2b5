package nexus

import (
	"context"
	"testing"
	"time"
)

// A refused resubscribe's retry timer stops on a drop, on the last unsubscribe and on Close, so
// neither a timer nor a sub outlives what it was for.
func TestARefusedResubscribesRetryStopsOnDropUnsubscribeAndClose(t *testing.T) {
	defer func(b Backoff) { resubscribeRetry = b }(resubscribeRetry)
	resubscribeRetry = Backoff{InitialDelay: time.Hour, MaxDelay: time.Hour, Random: func() float64 { return 0.5 }}
	cases := map[string]func(c *Client, sub *Subscription){
		"drop":        func(c *Client, _ *Subscription) { c.dropped(nil) },
		"unsubscribe": func(c *Client, sub *Subscription) { _ = sub.Unsubscribe(context.Background()) },
		"close": func(c *Client, _ *Subscription) {
			c.mu.Lock()
			c.closeLocked()
			c.mu.Unlock()
		},
	}
	for what, stop := range cases {
		c := &Client{channels: map[string]*channel{}, pending: map[string]*pending{}}
		sub := newSubscription(c, "prices", func(Message) {}, false)
		ch := &channel{name: "prices", subs: map[*Subscription]struct{}{sub: {}}, subscribed: true}
		c.channels["prices"] = ch
		c.mu.Lock()
		c.retryLaterLocked(ch)
		timer := ch.retry.timer
		c.mu.Unlock()

		stop(c, sub)
		if ch.retry != nil {
			t.Fatalf("%s: the retry is still there", what)
		}
		if timer.Stop() {
			t.Fatalf("%s: the retry's timer was still armed", what)
		}
	}
}
