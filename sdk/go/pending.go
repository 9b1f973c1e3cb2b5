package nexus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// answer settles a request: the answering frame, or why there is none.
type answer struct {
	frame *serverFrame
	err   error
}

// pending is one request: registered under the client's lock, written now or when the
// connection is ready, settled once by its answer, its deadline, a drop or Close.
type pending struct {
	id     string
	what   string // for messages: "api etest/sum", "sub prices"
	encode func(id string, remaining time.Duration) []byte
	// expect: the server answers it (the frame carries the id); otherwise it is settled once written.
	expect bool
	// bypass: written on a welcomed socket before the client is connected (restoring declarations).
	bypass   bool
	deadline time.Time
	// ctxDeadline: deadline is the caller's context's, which await watches; no timer of our own.
	ctxDeadline bool
	sent        bool
	sock        *socket
	timer       *time.Timer
	// settle is called once, with the client's lock held; it must not block.
	settle func(answer)
	// onAck runs with the lock held when the answer frame arrives, before frames after it are handled.
	onAck func(*serverFrame)
	done  chan struct{}
}

// register files p and writes it now if the connection allows, else queues it. Lock held.
func (c *Client) registerLocked(p *pending) {
	c.nextID++
	p.id = idPrefix(p.what) + strconv.FormatUint(c.nextID, 10)
	p.done = make(chan struct{})
	c.pending[p.id] = p
	// A caller's context deadline ends the wait itself (and its error then wraps DeadlineExceeded).
	if d := time.Until(p.deadline); !p.deadline.IsZero() && !p.ctxDeadline {
		p.timer = time.AfterFunc(d, func() { c.expire(p) })
	}
	if c.state == StateConnected || (p.bypass && c.sock != nil) {
		c.sendLocked(p)
	} else {
		c.waiting = append(c.waiting, p)
	}
}

func idPrefix(what string) string {
	if len(what) >= 3 && what[:3] == "api" {
		return "c"
	}
	if what == "" {
		return "r"
	}
	return what[:1]
}

// sendLocked queues p on the current socket. Lock held, socket present.
func (c *Client) sendLocked(p *pending) {
	p.sent = true
	p.sock = c.sock
	id := ""
	if p.expect {
		id = p.id
	}
	c.sock.enqueue(outFrame{text: p.encode(id, time.Until(p.deadline)), req: p})
}

// settleLocked finishes p once with a; later answers for it are ignored. Lock held.
func (c *Client) settleLocked(p *pending, a answer) {
	if _, ok := c.pending[p.id]; !ok {
		return
	}
	delete(c.pending, p.id)
	if p.timer != nil {
		p.timer.Stop()
	}
	if !p.sent {
		for i, q := range c.waiting {
			if q == p {
				c.waiting = append(c.waiting[:i], c.waiting[i+1:]...)
				break
			}
		}
	}
	p.settle(a)
	close(p.done)
}

func (c *Client) expire(p *pending) {
	c.mu.Lock()
	defer c.mu.Unlock()
	where := "not connected"
	if p.sent {
		where = "no answer"
	}
	c.settleLocked(p, answer{err: NewError(CodeTimeout, p.what+": "+where+" in time")})
}

// written settles a fire-and-forget request once the writer has written it.
func (c *Client) written(p *pending, err error) {
	if p.expect {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settleLocked(p, answer{err: err})
}

// flushLocked writes every queued request, in the order made. Lock held, connected.
func (c *Client) flushLocked() {
	queued := c.waiting
	c.waiting = nil
	for _, p := range queued {
		c.sendLocked(p)
	}
}

// dropInFlightLocked rejects what was written on sock, which dropped; queued requests wait on. Lock held.
func (c *Client) dropInFlightLocked(sock *socket) {
	for _, p := range c.pending {
		if p.sent && p.sock == sock {
			c.settleLocked(p, answer{err: &Error{Code: CodeDisconnected, Message: p.what + ": the connection dropped before the answer arrived", Retryable: true}})
		}
	}
}

// request sends a frame and waits for its answer, ctx's end, or the client's close.
// Without a deadline in ctx, it waits at most wait.
func (c *Client) request(ctx context.Context, p *pending, wait time.Duration) (*serverFrame, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err, p.what)
	}
	result := c.begin(ctx, p, wait)
	c.mu.Lock()
	if c.state == StateClosed {
		err := c.closedErrorLocked()
		c.mu.Unlock()
		return nil, err
	}
	c.registerLocked(p)
	c.mu.Unlock()
	return c.await(ctx, p, result)
}

// begin prepares p for a caller that waits on it; the caller then registers it under the lock.
func (c *Client) begin(ctx context.Context, p *pending, wait time.Duration) chan answer {
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= wait {
		p.deadline, p.ctxDeadline = d, true
	} else {
		p.deadline = time.Now().Add(wait)
	}
	result := make(chan answer, 1)
	p.settle = func(a answer) { result <- a }
	return result
}

// await waits for p's answer or ctx's end, whichever comes first.
func (c *Client) await(ctx context.Context, p *pending, result chan answer) (*serverFrame, error) {
	select {
	case a := <-result:
		return a.outcome()
	case <-ctx.Done():
		c.mu.Lock()
		c.settleLocked(p, answer{err: errContextDone})
		c.mu.Unlock()
		a := <-result // ours, or the answer that won the race
		if a.err == errContextDone {
			return nil, ctxError(ctx.Err(), p.what)
		}
		return a.outcome()
	}
}

var errContextDone = errors.New("context done")

// outcome is the frame, or the error it carries.
func (a answer) outcome() (*serverFrame, error) {
	if a.err == nil && a.frame != nil {
		if e := a.frame.answerError(); e != nil {
			return a.frame, e
		}
	}
	return a.frame, a.err
}

// ctxError is a context's end as the SDK reports it: a deadline is ErrTimeout (still matching
// context.DeadlineExceeded); a cancellation is the context's error.
func ctxError(err error, what string) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeTimeout, Message: what + ": the context's deadline passed", Retryable: true, Err: err}
	}
	return fmt.Errorf("nexus: %s: %w", what, err)
}
