package nexus

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"time"
)

// Handler serves one API method. Its return value answers the call (JSON-encoded; a
// json.RawMessage is sent as is); a returned *Error answers with its code, any other error with
// app_error and its text. ctx ends when the connection the call came on drops or the client closes.
type Handler func(ctx context.Context, req *Request) (any, error)

// Request is one API call to a served method.
type Request struct {
	// Method is the called method (useful for a "*" handler).
	Method string
	// From is the caller, stamped by the server.
	From Identity
	// Data is the call's JSON data.
	Data json.RawMessage
}

// Decode unmarshals the call's data into v; on failure it returns a bad_request *Error, which a
// handler can return as is.
func (r *Request) Decode(v any) error {
	if err := json.Unmarshal(r.Data, v); err != nil {
		return &Error{Code: CodeBadRequest, Message: "cannot decode the request data: " + err.Error(), Err: err}
	}
	return nil
}

// Service is one served method; Stop stops serving it.
type Service struct {
	c     *Client
	entry *serviceEntry
}

type serviceEntry struct {
	method  string
	handler Handler
}

type serveWaiter struct {
	version int
	entry   *serviceEntry
	done    chan error
}

// servedMethods are this worker's methods. Every change sends one serve frame with the whole set
// (a serve replaces the previous set), and so does every reconnect.
type servedMethods struct {
	handlers map[string]*serviceEntry
	version  int
	waiters  []*serveWaiter
}

// Serve serves method ("*" serves every method) with handler, replacing an earlier handler of it,
// and returns once the server has acked: the worker is then in the pool. It fails with
// not_a_worker for a frontend kind, quota_exceeded past maxServedMethods, bad_request for a bad name.
// Served methods are declared again after every reconnect.
func (c *Client) Serve(ctx context.Context, method string, handler Handler) (*Service, error) {
	if method != "*" && !namePattern.MatchString(method) {
		return nil, NewError(CodeBadRequest, `method must be "*" or match [A-Za-z0-9_.:/-]{1,128}: `+method)
	}
	if handler == nil {
		return nil, NewError(CodeBadRequest, "handler is nil")
	}
	entry := &serviceEntry{method: method, handler: handler}
	w := &serveWaiter{entry: entry, done: make(chan error, 1)}
	c.mu.Lock()
	if c.state == StateClosed {
		err := c.closedErrorLocked()
		c.mu.Unlock()
		return nil, err
	}
	c.served.handlers[method] = entry
	c.served.version++
	w.version = c.served.version
	c.served.waiters = append(c.served.waiters, w)
	if c.sock != nil {
		c.syncServedLocked()
	}
	c.mu.Unlock()
	svc := &Service{c: c, entry: entry}
	select {
	case err := <-w.done:
		if err != nil {
			return nil, err
		}
		return svc, nil
	case <-ctx.Done():
		stop, cancel := context.WithTimeout(context.Background(), c.opts.RequestTimeout)
		defer cancel()
		_ = svc.Stop(stop)
		return nil, ctxError(ctx.Err(), "serve "+method)
	}
}

// Method returns the served method's name.
func (s *Service) Method() string { return s.entry.method }

// Stop stops serving the method and returns once the server has acked the smaller set.
func (s *Service) Stop(ctx context.Context) error {
	c := s.c
	c.mu.Lock()
	if c.served.handlers[s.entry.method] != s.entry {
		c.mu.Unlock()
		return nil
	}
	delete(c.served.handlers, s.entry.method)
	var p *pending
	if c.sock != nil {
		p = c.syncServedLocked()
	}
	c.mu.Unlock()
	if p == nil {
		return nil
	}
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctxError(ctx.Err(), "stop serving "+s.entry.method)
	}
}

// syncServedLocked sends the whole set on the welcomed socket. Lock held.
func (c *Client) syncServedLocked() *pending {
	version := c.served.version
	methods := make([]string, 0, len(c.served.handlers))
	for m := range c.served.handlers {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	p := &pending{
		what:     "serve",
		expect:   true,
		bypass:   true,
		deadline: time.Now().Add(c.opts.RequestTimeout),
		encode:   func(id string, _ time.Duration) []byte { return serveFrame{T: "serve", Methods: methods}.encode(id) },
	}
	p.settle = func(a answer) {
		_, err := a.outcome()
		var e *Error
		if errors.As(err, &e) && e.Code == CodeDisconnected && e.Retryable {
			return // the next socket's restore declares the set again; the waiters keep waiting
		}
		var taken []*serveWaiter
		kept := c.served.waiters[:0]
		for _, w := range c.served.waiters {
			if w.version <= version {
				taken = append(taken, w)
			} else {
				kept = append(kept, w)
			}
		}
		c.served.waiters = kept
		if err != nil {
			// A refused set (not_a_worker, quota_exceeded) must not be declared again on every reconnect.
			for _, w := range taken {
				if c.served.handlers[w.entry.method] == w.entry {
					delete(c.served.handlers, w.entry.method)
				}
			}
			if len(taken) == 0 {
				c.report(err)
			}
		}
		for _, w := range taken {
			w.done <- err
		}
	}
	c.registerLocked(p)
	return p
}

// handleRequest runs the handler of one api.req and answers it once, on the socket it came on.
func (c *Client) handleRequest(sock *socket, f serverFrame) {
	c.mu.Lock()
	entry := c.served.handlers[f.Method]
	if entry == nil {
		entry = c.served.handlers["*"]
	}
	maxBytes := c.limits.MaxFrameBytes
	c.mu.Unlock()
	var res apiResFrame
	if entry == nil {
		res = answerFrame(f.RID, nil, NewError(CodeNoResponders, f.Method+" is not served here"))
	} else {
		req := &Request{Method: f.Method, Data: f.Data}
		if f.From != nil {
			req.From = *f.From
		}
		if len(req.Data) == 0 {
			req.Data = json.RawMessage("null")
		}
		value, err := runHandler(sock.ctx, entry.handler, req)
		res = answerFrame(f.RID, value, err)
	}
	text := res.encode()
	if maxBytes > 0 && len(text) > maxBytes {
		// The edge would refuse an oversize answer with an error the caller never sees; tell the caller.
		res = apiResFrame{T: "api.res", RID: f.RID, Error: &wireError{Code: CodeTooLarge, Message: "the answer exceeds maxFrameBytes"}}
		text = res.encode()
	}
	if sock.ctx.Err() == nil {
		sock.enqueue(outFrame{text: text})
	}
}

// answerFrame is the api.res of a handler's result: its value, or its error's code (app_error for
// an error that is not an *Error).
func answerFrame(rid string, value any, err error) apiResFrame {
	res := apiResFrame{T: "api.res", RID: rid}
	if err != nil {
		res.Error = toWireError(err)
	} else if data, err := encodeData(value); err != nil {
		res.Error = &wireError{Code: CodeAppError, Message: "the answer is not JSON: " + err.Error()}
	} else {
		res.OK, res.Data = true, data
	}
	return res
}

func runHandler(ctx context.Context, h Handler, req *Request) (value any, err error) {
	defer func() {
		if r := recover(); r != nil {
			value, err = nil, recovered("handler of "+req.Method, r)
		}
	}()
	return h(ctx, req)
}

func toWireError(err error) *wireError {
	var e *Error
	if errors.As(err, &e) {
		return &wireError{Code: e.Code, Quota: e.Quota, Message: e.Message}
	}
	return &wireError{Code: CodeAppError, Message: err.Error()}
}

// encodeData marshals a value as the data of a frame; nil is JSON null.
func encodeData(v any) (json.RawMessage, error) {
	switch d := v.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case json.RawMessage:
		if !json.Valid(d) {
			return nil, errors.New("json.RawMessage is not valid JSON")
		}
		return d, nil
	}
	return json.Marshal(v)
}
