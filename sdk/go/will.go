package nexus

import (
	"context"
	"errors"
	"time"
)

// Will is a block's last will (contract "Last will"): a message the edge publishes to Channel,
// stamped with the block's identity, when the connection ends any way other than by ClearWill or
// Close first (a crash, a lost network, a killed process), as MQTT's will.
type Will struct {
	// Channel is where the will is published; the token's pub capabilities apply.
	Channel string
	// Data is the message's text.
	Data string
	// Retain keeps it as the channel's value for later subscribers (device online status).
	Retain bool
}

type willFrame struct {
	T       string `json:"t"`
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Data    string `json:"data"`
	Retain  bool   `json:"retain,omitempty"`
}

type clearWillFrame struct {
	T     string `json:"t"`
	ID    string `json:"id"`
	Clear bool   `json:"clear"`
}

func (f willFrame) encode(id string) []byte      { f.ID = id; return marshalFrame(f, f.T, id) }
func (f clearWillFrame) encode(id string) []byte { f.ID = id; return marshalFrame(f, f.T, id) }

func newWillFrame(w Will) willFrame {
	return willFrame{T: "will", Channel: w.Channel, Data: w.Data, Retain: w.Retain}
}

// SetWill leaves a will, replacing an earlier one, and returns on the server's ack. The edge holds
// it per connection, so the client declares it again after every reconnect, before queued calls go
// out. It fails with forbidden outside the token's pub capabilities, too_large past maxFrameBytes,
// bad_request for a bad channel name; a refused will leaves the previous one in force. A call made
// while disconnected waits for the reconnect.
func (c *Client) SetWill(ctx context.Context, w Will) error {
	if !namePattern.MatchString(w.Channel) {
		return NewError(CodeBadRequest, "channel must match [A-Za-z0-9_.:/-]{1,128}: "+w.Channel)
	}
	frame := newWillFrame(w)
	c.mu.Lock()
	previous := c.will
	will := &w
	c.will = will
	c.mu.Unlock()
	p := &pending{
		what:   "will " + w.Channel,
		expect: true,
		encode: func(id string, _ time.Duration) []byte { return frame.encode(id) },
	}
	_, err := c.request(ctx, p, c.opts.RequestTimeout)
	var e *Error
	if err != nil && !(errors.As(err, &e) && e.Code == CodeDisconnected && e.Retryable) {
		// Refused (or abandoned): the previous will stays in force, on the edge as here.
		c.mu.Lock()
		if c.will == will {
			c.will = previous
		}
		c.mu.Unlock()
	}
	return err
}

// ClearWill withdraws the will, so that the connection's end publishes nothing, and returns on the
// server's ack. Close clears a will by itself first.
func (c *Client) ClearWill(ctx context.Context) error {
	c.mu.Lock()
	c.will = nil
	c.mu.Unlock()
	p := &pending{
		what:   "will clear",
		expect: true,
		encode: func(id string, _ time.Duration) []byte { return clearWillFrame{T: "will", Clear: true}.encode(id) },
	}
	_, err := c.request(ctx, p, c.opts.RequestTimeout)
	return err
}

// sendWillLocked declares the will again on the welcomed socket (restore); nil without a will. A
// refusal is reported to OnError. Lock held.
func (c *Client) sendWillLocked() *pending {
	if c.will == nil {
		return nil
	}
	frame := newWillFrame(*c.will)
	p := &pending{
		what:     "will " + frame.Channel,
		expect:   true,
		bypass:   true,
		deadline: time.Now().Add(c.opts.RequestTimeout),
		encode:   func(id string, _ time.Duration) []byte { return frame.encode(id) },
	}
	p.settle = func(a answer) {
		_, err := a.outcome()
		var e *Error
		if err != nil && !(errors.As(err, &e) && e.Code == CodeDisconnected && e.Retryable) {
			c.report(err)
		}
	}
	c.registerLocked(p)
	return p
}

// clearWillOnClose clears a will before a clean close, bounded so that Close never hangs on an
// edge that stopped answering.
func (c *Client) clearWillOnClose() {
	c.mu.Lock()
	set := c.will != nil && c.state == StateConnected
	c.mu.Unlock()
	if !set {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(time.Second, c.opts.RequestTimeout))
	defer cancel()
	_ = c.ClearWill(ctx)
}
