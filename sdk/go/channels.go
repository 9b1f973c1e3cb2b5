package nexus

import (
	"context"
	"errors"
	"time"
)

// channel is one channel this client wants, with its local subscriptions and where it stands:
// every seq up to lastSeq under epoch was delivered, or came before the subscription began, so a
// resubscribe asks for what it missed (since/epoch).
type channel struct {
	name   string
	subs   map[*Subscription]struct{}
	active bool
	// inflight is the sub awaiting its ack on the current socket, if any; asked tells whether it
	// carried since/epoch.
	inflight *pending
	asked    bool
	waiters  []*subWaiter
	lastSeq  int64
	epoch    string
	// retainedFloor: a retained value at or below it was delivered before the latest reconnect.
	retainedFloor int64
	// subscribed: acked once at least, so a later sub is a resubscribe the subscriptions hear of.
	subscribed bool
}

// subFrame is the sub that (re)subscribes ch: with since/epoch once an epoch is known.
func (ch *channel) subFrame() subFrame {
	frame := subFrame{T: "sub", Channel: ch.name}
	if ch.epoch != "" {
		since := ch.lastSeq
		frame.Since, frame.Epoch = &since, ch.epoch
	}
	return frame
}

// acked records where the channel stands from its sub's ack and answers whether the edge
// recovered what was missed. A new epoch, or a seq below the last one seen, means the sequence
// started again: everything is new. Unless recovered, nothing at or below the ack's seq will come
// (live messages are above it), so the client stands there; a recovery's missed messages follow
// the ack, above lastSeq. What was delivered before (the retained value too) is not delivered again.
func (ch *channel) acked(f *serverFrame) bool {
	ch.active = true
	recovered := ch.asked && f.Recovered != nil && *f.Recovered
	if f.Epoch == "" || f.Epoch != ch.epoch || (f.Seq != nil && *f.Seq < ch.lastSeq) {
		ch.epoch, ch.lastSeq = f.Epoch, 0
	}
	ch.retainedFloor = ch.lastSeq
	if !recovered && f.Seq != nil && ch.epoch != "" {
		ch.lastSeq = max(ch.lastSeq, *f.Seq)
	}
	return recovered
}

// fresh tells whether m is new to this client (a seq above where it stands, or a retained value
// it has not had). Without an epoch from the edge there is nothing to compare with.
func (ch *channel) fresh(m Message) bool {
	switch {
	case ch.epoch == "":
		return true
	case m.Retained:
		return m.Seq > ch.retainedFloor
	default:
		return m.Seq > ch.lastSeq
	}
}

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
// maxSubscriptions, bad_request for a bad name. The subscription is restored after every reconnect.
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
		recovered := ch.acked(f)
		if ch.subscribed {
			// On each subscription's queue, so the report comes before the messages behind the ack.
			report := Resubscribed{Channel: ch.name, Recovered: recovered}
			for sub := range ch.subs {
				if !ch.waiting(sub) {
					sub.resubscribed(report)
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
			} else if len(waiters) == 0 {
				c.report(err)
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
			delete(c.channels, sub.channel) // not connected: the server forgot it with the socket
		}
		c.mu.Unlock()
		return nil
	}
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
// delivered (a seq at or below the last one delivered under the same epoch).
func (c *Client) deliverMessage(m Message) {
	c.mu.Lock()
	ch := c.channels[m.Channel]
	if ch == nil {
		c.mu.Unlock()
		return
	}
	if !ch.fresh(m) {
		c.mu.Unlock()
		return // delivered before this reconnect, or from before the subscription began
	}
	ch.lastSeq = max(ch.lastSeq, m.Seq)
	subs := make([]*Subscription, 0, len(ch.subs))
	for s := range ch.subs {
		subs = append(subs, s)
	}
	c.mu.Unlock()
	for _, s := range subs {
		s.deliver(m)
	}
}
