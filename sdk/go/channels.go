package nexus

import (
	"context"
	"errors"
	"time"
)

type subWaiter struct {
	sub  *Subscription
	done chan error
}

// waiting tells whether sub is still waiting for its first ack (a new subscription, not a resubscribe).
func (ch *channel) waiting(sub *Subscription) bool {
	for _, w := range ch.waiters {
		if w.sub == sub {
			return true
		}
	}
	return false
}

// Subscribe subscribes to channel and returns once the server's ack says messages flow. handler
// gets the messages one at a time, in order; the retained value comes first, with Retained set.
// It fails with forbidden outside the token's sub capabilities, quota_exceeded past
// maxSubscriptions, bad_request for a bad name. The subscription is restored after every reconnect;
// a resubscribe the edge refuses for now (rate_limited) is reported to OnError and tried again with backoff.
func (c *Client) Subscribe(ctx context.Context, channel string, handler MessageHandler) (*Subscription, error) {
	if handler == nil {
		return nil, NewError(CodeBadRequest, "handler is nil (use SubscribeChan for a Go channel)")
	}
	return c.subscribe(ctx, channel, handler)
}

// SubscribeChan is Subscribe with the messages on sub.Messages() instead of a handler; the Go
// channel closes when the subscription ends. Messages wait in an unbounded queue until read.
func (c *Client) SubscribeChan(ctx context.Context, channel string) (*Subscription, error) {
	return c.subscribe(ctx, channel, nil)
}

func (c *Client) subscribe(ctx context.Context, name string, handler MessageHandler) (*Subscription, error) {
	if !namePattern.MatchString(name) {
		return nil, NewError(CodeBadRequest, "channel must match [A-Za-z0-9_.:/-]{1,128}: "+name)
	}
	sub := newSubscription(c, name, handler, handler == nil)
	c.mu.Lock()
	if c.state == StateClosed {
		err := c.closedErrorLocked()
		c.mu.Unlock()
		sub.end()
		return nil, err
	}
	ch := c.channels[name]
	if ch != nil && ch.active {
		ch.subs[sub] = struct{}{}
		c.mu.Unlock()
		return sub, nil
	}
	isNew := ch == nil
	if isNew {
		ch = &channel{name: name, subs: map[*Subscription]struct{}{}}
		c.channels[name] = ch
	}
	ch.subs[sub] = struct{}{}
	w := &subWaiter{sub: sub, done: make(chan error, 1)}
	ch.waiters = append(ch.waiters, w)
	if ch.inflight == nil && c.sock != nil {
		c.sendSubLocked(ch)
	}
	c.mu.Unlock()
	select {
	case err := <-w.done:
		if err != nil {
			return nil, err
		}
		return sub, nil
	case <-ctx.Done():
		stop, cancel := context.WithTimeout(context.Background(), c.opts.RequestTimeout)
		defer cancel()
		_ = c.unsubscribe(stop, sub)
		return nil, ctxError(ctx.Err(), "sub "+name)
	}
}

// sendSubLocked sends one sub for ch on the welcomed socket, with since/epoch when ch has seen
// messages under a known epoch. Lock held.
func (c *Client) sendSubLocked(ch *channel) *pending {
	frame := ch.subFrame()
	ch.asked = frame.Since != nil
	ch.pauseRetryLocked() // it goes out now; a refusal waits longer next time
	p := &pending{
		what:     "sub " + ch.name,
		expect:   true,
		bypass:   true,
		deadline: time.Now().Add(c.opts.RequestTimeout),
		encode:   func(id string, _ time.Duration) []byte { return frame.encode(id) },
	}
	// In force before the frames behind the ack (the retained value, recovered messages) are delivered.
	p.onAck = func(f *serverFrame) {
		if c.channels[ch.name] != ch || f.T != "ack" {
			return
		}
		ch.stopRetryLocked() // subscribed: the next refusal waits the shortest delay again
		report, gap := ch.acked(f)
		if ch.subscribed {
			// On each subscription's queue, so the reports come before the messages behind the ack.
			for sub := range ch.subs {
				if !ch.waiting(sub) {
					sub.resubscribed(report)
					if gap != nil {
						sub.gap(*gap)
					}
				}
			}
		}
		ch.subscribed = true
	}
	p.settle = func(a answer) {
		ch.inflight = nil
		_, err := a.outcome()
		var e *Error
		if errors.As(err, &e) && e.Code == CodeDisconnected && e.Retryable {
			return // the next socket's restore subscribes again; the waiters keep waiting
		}
		if c.channels[ch.name] != ch {
			return
		}
		waiters := ch.waiters
		ch.waiters = nil
		if err != nil {
			for _, w := range waiters {
				delete(ch.subs, w.sub)
				w.sub.end()
			}
			if len(ch.subs) == 0 {
				delete(c.channels, ch.name)
			} else {
				// Resubscribed subscriptions remain: one refused for now (rate_limited by the
				// edge's join pacing after a reconnect) is tried again later, not left dead.
				if errors.As(err, &e) && e.Retryable {
					c.retryLaterLocked(ch)
				}
				if len(waiters) == 0 {
					c.report(err)
				}
			}
		}
		for _, w := range waiters {
			w.done <- err
		}
	}
	ch.inflight = p
	c.registerLocked(p)
	return p
}

// unsubscribe ends sub; the last local subscription of a channel sends unsub and waits for its ack.
func (c *Client) unsubscribe(ctx context.Context, sub *Subscription) error {
	sub.end()
	c.mu.Lock()
	ch := c.channels[sub.channel]
	if ch == nil {
		c.mu.Unlock()
		return nil
	}
	if _, ok := ch.subs[sub]; !ok {
		c.mu.Unlock()
		return nil
	}
	delete(ch.subs, sub)
	kept := ch.waiters[:0]
	for _, w := range ch.waiters {
		if w.sub == sub {
			w.done <- NewError(CodeBadRequest, "unsubscribed before the ack")
		} else {
			kept = append(kept, w)
		}
	}
	ch.waiters = kept
	if len(ch.subs) > 0 || c.sock == nil {
		if len(ch.subs) == 0 {
			ch.stopRetryLocked()
			delete(c.channels, sub.channel) // not connected: the server forgot it with the socket
		}
		c.mu.Unlock()
		return nil
	}
	ch.stopRetryLocked()
	delete(c.channels, sub.channel)
	frame := subFrame{T: "unsub", Channel: sub.channel}
	p := &pending{
		what:   "unsub " + sub.channel,
		expect: true,
		bypass: true,
		encode: func(id string, _ time.Duration) []byte { return frame.encode(id) },
	}
	// Registered under the same lock as the map change, so a sub right after goes out after this unsub.
	result := c.begin(ctx, p, c.opts.RequestTimeout)
	c.registerLocked(p)
	c.mu.Unlock()
	_, err := c.await(ctx, p, result)
	var e *Error
	if errors.As(err, &e) && e.Code == CodeDisconnected {
		return nil // after a drop the server has forgotten the subscription anyway
	}
	return err
}

// deliverMessage hands a msg frame to the channel's local subscriptions, skipping what was already
// delivered (a seq at or below the last one delivered under the same epoch); a seq that skipped
// some is reported as a gap first.
func (c *Client) deliverMessage(m Message) {
	c.mu.Lock()
	ch := c.channels[m.Channel]
	if ch == nil {
		c.mu.Unlock()
		return
	}
	deliver, gap := ch.accept(m)
	if !deliver {
		c.mu.Unlock()
		return // delivered before this reconnect, or from before the subscription began
	}
	subs := make([]*Subscription, 0, len(ch.subs))
	for s := range ch.subs {
		subs = append(subs, s)
	}
	c.mu.Unlock()
	for _, s := range subs {
		if gap != nil {
			s.gap(*gap)
		}
		s.deliver(m)
	}
}
