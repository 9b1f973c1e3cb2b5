package nexus

import (
	"fmt"
)

// dispatch handles one frame from sock, on its reader goroutine. Answers settle their request
// here, under the lock, so a sub ack is in force before the messages behind it are delivered.
func (c *Client) dispatch(sock *socket, text []byte) {
	f, ok := decodeServerFrame(text)
	if !ok {
		return
	}
	switch f.T {
	case "ack", "api.result", "find.result", "error":
		c.mu.Lock()
		p := c.pending[f.ID]
		if f.ID != "" && p != nil && p.sock == sock {
			if p.onAck != nil {
				p.onAck(&f)
			}
			c.settleLocked(p, answer{frame: &f})
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if f.T == "error" {
			// An error for a frame without id (a refused fire-and-forget pub or Direct, a rate limit).
			c.report(wireError{Code: f.Code, Quota: f.Quota, Message: f.Message}.toError())
		}
	case "api.req":
		go c.handleRequest(sock, f)
	case "direct":
		text, ok := f.text()
		if !ok || f.From == nil {
			return
		}
		c.deliverDirect(DirectMessage{From: *f.From, Text: text})
	case "msg":
		text, ok := f.text()
		if !ok || f.From == nil || f.Seq == nil {
			return
		}
		c.deliverMessage(Message{Channel: f.Channel, Text: text, From: *f.From, Seq: *f.Seq, Retained: f.Retained})
	}
}

// recovered turns a panic in a handler into an error, so one handler's bug never crashes a worker.
func recovered(what string, r any) *Error {
	return &Error{Code: CodeAppError, Message: fmt.Sprintf("%s panicked: %v", what, r)}
}
