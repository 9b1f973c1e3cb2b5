package nexus

import (
	"context"
	"sync"
)

// Message is one channel message.
type Message struct {
	Channel string
	Text    string
	// From is the publisher, stamped by the server.
	From Identity
	// Seq increases by one per channel.
	Seq int64
	// Retained is true for the channel's retained value, delivered first after subscribing.
	Retained bool
}

// MessageHandler receives a subscription's messages, one at a time and in order.
type MessageHandler func(m Message)

// Resubscribed tells how a subscription came back after a reconnect (as centrifuge's subscribed
// event with Recovered; the TypeScript SDK's ResubscribedEvent). Recovered is true when the edge
// delivered, from the channel's history, every message published while the client was away: they
// follow in order, before live ones, none twice. False means some may be missing (the history no
// longer reached back, the channel started again, or the edge had not told where the client
// stood); the retained value, if any, follows.
//
// Epoch and Seq are the channel's epoch and its seq when the resubscription took effect, from the
// edge's sub ack (not the last message the client had): after a recovery the missed messages up to
// Seq follow, otherwise live messages start after it. Epoch is empty and HasSeq false when the ack
// had none (an edge without history).
type Resubscribed struct {
	Channel   string
	Recovered bool
	Epoch     string
	Seq       int64
	HasSeq    bool
}

// Subscription is one local subscription to a channel. Several local subscriptions of one channel
// share one sub on the wire; all are restored after a reconnect.
type Subscription struct {
	c       *Client
	channel string
	handler MessageHandler
	ch      chan Message
	q       *serialQueue
	stop    chan struct{}
	once    sync.Once

	mu      sync.Mutex
	onResub listeners[Resubscribed]
	onGap   listeners[Gap]
	last    *Resubscribed
}

func newSubscription(c *Client, channel string, handler MessageHandler, buffered bool) *Subscription {
	s := &Subscription{c: c, channel: channel, handler: handler, q: newSerialQueue(), stop: make(chan struct{})}
	if buffered {
		s.ch = make(chan Message, 64)
		go func() {
			<-s.q.done
			close(s.ch)
		}()
	}
	return s
}

// Channel returns the subscribed channel's name.
func (s *Subscription) Channel() string { return s.channel }

// Messages returns the channel of a subscription made with SubscribeChan (nil for one made with a
// handler). It is closed when the subscription ends: by Unsubscribe or Close, or a final close code.
func (s *Subscription) Messages() <-chan Message { return s.ch }

// Done is closed when the subscription has ended.
func (s *Subscription) Done() <-chan struct{} { return s.stop }

// OnResubscribed registers f to learn, after every reconnect, whether the subscription recovered
// what was published meanwhile (see Resubscribed). f runs on the subscription's own goroutine, before
// the first message that follows the resubscribe, so a gap is known before what comes after it.
// The returned func removes f.
func (s *Subscription) OnResubscribed(f func(Resubscribed)) (remove func()) {
	return addListener(s, &s.onResub, f)
}

// OnGap registers f to learn of messages the subscription did not get (see Gap): after a
// resubscribe that did not recover (right after the Resubscribed report), and when a live
// message's seq skips some. f runs on the subscription's own goroutine, before the first message
// after the gap. The returned func removes f.
func (s *Subscription) OnGap(f func(Gap)) (remove func()) {
	return addListener(s, &s.onGap, f)
}

func addListener[T any](s *Subscription, l *listeners[T], f func(T)) (remove func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := l.add(f)
	return func() {
		s.mu.Lock()
		l.remove(id)
		s.mu.Unlock()
	}
}

// Recovered reports the latest resubscribe: ok is false until the first reconnect; then recovered
// says whether every message published while the client was away was delivered.
func (s *Subscription) Recovered() (recovered, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return false, false
	}
	return s.last.Recovered, true
}

// resubscribed records r and queues it for the listeners, in order with the messages.
func (s *Subscription) resubscribed(r Resubscribed) {
	s.mu.Lock()
	s.last = &r
	s.mu.Unlock()
	notify(s, &s.onResub, "resubscribed", r)
}

// gap queues g for the listeners, in order with the messages.
func (s *Subscription) gap(g Gap) { notify(s, &s.onGap, "gap", g) }

// notify queues a call of l's listeners with v; a listener's panic is recovered and reported.
func notify[T any](s *Subscription, l *listeners[T], what string, v T) {
	s.q.push(func() {
		s.mu.Lock()
		funcs := l.snapshot()
		s.mu.Unlock()
		for _, f := range funcs {
			func() {
				defer func() {
					if p := recover(); p != nil {
						s.c.report(recovered(what+" listener of "+s.channel, p))
					}
				}()
				f(v)
			}()
		}
	})
}

// Unsubscribe ends this subscription; the wire unsub goes out (and is awaited) when it was the
// channel's last local subscription. Messages not yet handed over are dropped.
func (s *Subscription) Unsubscribe(ctx context.Context) error {
	return s.c.unsubscribe(ctx, s)
}

// deliver queues m for the handler or the channel.
func (s *Subscription) deliver(m Message) {
	s.q.push(func() {
		if s.handler != nil {
			defer func() {
				if r := recover(); r != nil {
					s.c.report(recovered("message handler of "+s.channel, r))
				}
			}()
			s.handler(m)
			return
		}
		select {
		case s.ch <- m:
		case <-s.stop:
		}
	})
}

// end stops delivery; it never blocks, so it may be called under the client's lock.
func (s *Subscription) end() {
	s.once.Do(func() {
		close(s.stop)
		s.q.close(false)
	})
}
