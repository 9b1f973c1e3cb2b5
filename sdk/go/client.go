package nexus

import (
	"context"
	"errors"
	"sync"

	"github.com/coder/websocket"
)

// Client is one Nexus block: one logical connection over successive sockets, which reconnects
// with full-jitter backoff and restores what it serves and subscribes. Create it with Connect.
// All methods are safe for concurrent use.
type Client struct {
	opts    Options
	ctx     context.Context // ends at Close
	cancel  context.CancelFunc
	backoff *backoffState
	events  *serialQueue // OnState and OnError, in order
	directQ *serialQueue // Direct handlers, in arrival order
	done    chan struct{}

	mu       sync.Mutex
	state    State
	sock     *socket // the welcomed socket, nil while there is none
	identity Identity
	limits   Limits
	nextID   uint64
	pending  map[string]*pending
	waiting  []*pending // made while not connected, written once connected
	served   servedMethods
	channels map[string]*channel
	directs  []*directEntry
	will     *Will // the will to declare on every socket, nil without one
	closeErr *Error
}

// Connect connects to a Nexus edge and returns once the block is welcomed. It fails with an
// *Error: unauthorized (401), forbidden (403), bad_request (400), quota_exceeded (429),
// unavailable (503) when the edge refuses, disconnected when it cannot be reached, timeout when
// ctx ends first. ctx bounds only this first connect; the client then lives until Close.
func Connect(ctx context.Context, opts Options) (*Client, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	life, cancel := context.WithCancel(context.Background())
	c := &Client{
		opts:     opts,
		ctx:      life,
		cancel:   cancel,
		backoff:  newBackoffState(*opts.Reconnect),
		events:   newSerialQueue(),
		directQ:  newSerialQueue(),
		done:     make(chan struct{}),
		limits:   defaultLimits,
		pending:  map[string]*pending{},
		served:   servedMethods{handlers: map[string]*serviceEntry{}},
		channels: map[string]*channel{},
	}
	first := make(chan error, 1)
	go c.run(first)
	select {
	case err := <-first:
		if err != nil {
			c.shutdown(nil)
			return nil, err
		}
		return c, nil
	case <-ctx.Done():
		c.shutdown(nil)
		return nil, ctxError(ctx.Err(), "connect")
	}
}

// State returns the current connection state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// JID returns this block's JID, from the latest welcome (kept across reconnects).
func (c *Client) JID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.identity.JID
}

// Identity returns this block's identity as the server stamps it on what it sends.
func (c *Client) Identity() Identity {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.identity
}

// Limits returns the server's limits from the latest welcome.
func (c *Client) Limits() Limits {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.limits
}

// Close closes the connection for good: waiting calls fail with a non-retryable disconnected
// error, subscriptions end and their channels close. Close is idempotent and returns once the
// socket is closed. A will is cleared first (a clean leave), waiting at most a second for the ack.
func (c *Client) Close() error {
	c.clearWillOnClose()
	c.shutdown(&Error{Code: CodeDisconnected, Message: "the client was closed"})
	return nil
}

// shutdown moves to closed (if not yet), stops the run loop and closes the socket.
func (c *Client) shutdown(reason *Error) {
	c.mu.Lock()
	sock := c.sock
	if c.state != StateClosed {
		if reason != nil && c.closeErr == nil {
			c.closeErr = reason
		}
		c.closeLocked()
	}
	c.mu.Unlock()
	c.cancel()
	if sock != nil {
		sock.close(websocket.StatusNormalClosure, "client closed")
	}
	<-c.done
	c.directQ.close(false)
	c.events.close(true)
}

// closeLocked makes the state final and fails everything waiting. Lock held.
func (c *Client) closeLocked() {
	c.setStateLocked(StateClosed)
	err := c.closedErrorLocked()
	// Channels first: a sub still waiting for its ack then finds its channel gone and leaves the
	// waiters to the loop below, so each waiter is told exactly once.
	channels := c.channels
	c.channels = map[string]*channel{}
	for _, p := range c.pending {
		c.settleLocked(p, answer{err: err})
	}
	c.waiting = nil
	for _, ch := range channels {
		ch.stopRetryLocked()
		for sub := range ch.subs {
			sub.end()
		}
		for _, w := range ch.waiters {
			w.done <- err
		}
		ch.waiters = nil
	}
	for _, w := range c.served.waiters {
		w.done <- err
	}
	c.served.waiters = nil
}

// closedErrorLocked is what calls on a closed client return. Lock held.
func (c *Client) closedErrorLocked() error {
	reason := c.closeErr
	if reason == nil {
		reason = &Error{Code: CodeDisconnected, Message: "closed"}
	}
	return &Error{Code: reason.Code, Message: "the client is closed (" + reason.Message + ")", CloseCode: reason.CloseCode, Err: reason}
}

// setStateLocked records a state change and queues its callback. Lock held.
func (c *Client) setStateLocked(s State) {
	if c.state == s {
		return
	}
	c.state = s
	if f := c.opts.OnState; f != nil {
		c.events.push(func() { f(s) })
	}
}

// report hands a failure no call can return to OnError.
func (c *Client) report(err error) {
	if f := c.opts.OnError; f != nil && err != nil {
		c.events.push(func() { f(err) })
	}
}

// asError returns err as an *Error, wrapping what is not one as internal.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternal, Message: err.Error(), Retryable: true, Err: err}
}
