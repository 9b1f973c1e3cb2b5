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
