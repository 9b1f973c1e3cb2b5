package nexus

import (
	"context"
	"time"
)

// run is the connection's life: dial, welcome, restore, serve frames until the socket ends,
// then reconnect with backoff, until Close or a final close code. first receives the outcome of
// the first connect and is then forgotten.
func (c *Client) run(first chan<- error) {
	defer close(c.done)
	for c.ctx.Err() == nil {
		c.mu.Lock()
		c.setStateLocked(StateConnecting)
		resource := c.identity.Resource // after the first welcome, the same resource: the JID survives
		c.mu.Unlock()

		ctx, cancel := context.WithTimeout(c.ctx, c.opts.ConnectTimeout)
		ws, welcome, err := c.dial(ctx, resource)
		cancel()
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			if first != nil {
				first <- err
				return
			}
			if !isTransient(err) {
				c.terminate(asError(err))
				return
			}
			c.report(err)
			if !c.pause() {
				return
			}
			continue
		}

		sock := newSocket(c.ctx, ws)
		c.welcomed(sock, welcome)
		if c.restore(sock) {
			c.mu.Lock()
			if c.sock == sock && c.state != StateClosed {
				c.backoff.reset()
				c.setStateLocked(StateConnected)
				c.flushLocked()
				if first != nil {
					first <- nil
					first = nil
				}
			}
			c.mu.Unlock()
		}
		<-sock.ended
		c.dropped(sock)
		if c.ctx.Err() != nil {
			return
		}
		if sock.closeCode == 4001 && c.opts.TokenFunc != nil {
			continue // ask TokenFunc again at once; a refusal of its new token is final
		}
		if t := terminalClose(sock.closeCode, sock.closeReason, c.opts.TokenFunc != nil); t != nil {
			if first != nil {
				first <- t
				return
			}
			c.terminate(t)
			return
		}
		if c.opts.NoReconnect {
			c.terminate(&Error{Code: CodeDisconnected, Message: "connection lost and reconnect is off", CloseCode: sock.closeCode})
			return
		}
		if !c.pause() {
			return
		}
	}
}

// welcomed makes sock the client's socket and starts its reader, writer and keepalive.
func (c *Client) welcomed(sock *socket, w welcomeFrame) {
	c.mu.Lock()
	c.sock = sock
	c.identity = w.identity
	c.limits = w.limits
	c.mu.Unlock()
	interval := time.Duration(w.limits.PingIntervalMs) * time.Millisecond
	if c.opts.PingInterval > 0 && c.opts.PingInterval < interval {
		interval = c.opts.PingInterval
	}
	go sock.readLoop(func(text []byte) { c.dispatch(sock, text) })
	go sock.writeLoop(c.written)
	go sock.keepalive(interval, c.opts.PongTimeout)
}

// restore declares every served method, subscription and the will again on sock and waits for the acks;
// false when the socket ended first.
func (c *Client) restore(sock *socket) bool {
	c.mu.Lock()
	var acks []chan struct{}
	if len(c.served.handlers) > 0 || len(c.served.waiters) > 0 {
		acks = append(acks, c.syncServedLocked().done)
	}
	for _, ch := range c.channels {
		p := ch.inflight // a subscribe that got in right after the welcome already sent it
		if p == nil {
			p = c.sendSubLocked(ch)
		}
		acks = append(acks, p.done)
	}
	if p := c.sendWillLocked(); p != nil {
		acks = append(acks, p.done)
	}
	c.mu.Unlock()
	for _, done := range acks {
		select {
		case <-done:
		case <-sock.ctx.Done():
			return false
		}
	}
	return sock.ctx.Err() == nil
}

// dropped forgets sock: what was in flight on it fails with a retryable disconnected error,
// and every channel must be subscribed again on the next socket.
func (c *Client) dropped(sock *socket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sock == sock {
		c.sock = nil
	}
	c.dropInFlightLocked(sock)
	for _, ch := range c.channels {
		ch.active = false
		ch.stopRetryLocked() // the next socket's restore subscribes again
	}
	if c.state != StateClosed {
		c.setStateLocked(StateDisconnected)
	}
}

// terminate ends the client for a reason the server gave (a refusal, a final close code).
func (c *Client) terminate(reason *Error) {
	c.report(reason)
	c.mu.Lock()
	if c.state != StateClosed {
		c.closeErr = reason
		c.closeLocked()
	}
	c.mu.Unlock()
	c.cancel()
}

// pause waits out the next backoff delay; false when the client closed meanwhile.
func (c *Client) pause() bool {
	c.mu.Lock()
	if c.state != StateClosed {
		c.setStateLocked(StateDisconnected)
	}
	delay := c.backoff.next()
	c.mu.Unlock()
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.ctx.Done():
		return false
	}
}
