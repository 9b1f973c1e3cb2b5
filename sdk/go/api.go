package nexus

import (
	"context"
	"encoding/json"
	"time"
)

// Reply is the answer to an API call.
type Reply struct {
	// Data is the worker's JSON answer.
	Data json.RawMessage
	// From is the worker that answered.
	From Identity
}

// Decode unmarshals the answer's data into v.
func (r *Reply) Decode(v any) error {
	if err := json.Unmarshal(r.Data, v); err != nil {
		return &Error{Code: CodeBadRequest, Message: "cannot decode the answer: " + err.Error(), Err: err}
	}
	return nil
}

// APIOption is an option of API and Call: WithResource, WithUID.
type APIOption interface{ applyAPI(*apiFrame) }

// DirectOption is an option of Direct: WithUID, WithAck.
type DirectOption interface{ applyDirect(*directConfig) }

// PublishOption is an option of Publish: Retain, WithAck.
type PublishOption interface{ applyPublish(*publishConfig) }

type directConfig struct {
	frame directFrame
	ack   bool
}

type publishConfig struct {
	frame pubFrame
	ack   bool
}

type resourceOption string

func (o resourceOption) applyAPI(f *apiFrame) { f.Resource = string(o) }

// WithResource sends an API call to one exact worker instead of round-robin over the owner's workers.
func WithResource(resource string) APIOption { return resourceOption(resource) }

// UIDOption names a user-role worker's uid; it applies to API calls and Directs.
type UIDOption string

func (o UIDOption) applyAPI(f *apiFrame)        { f.UID = string(o) }
func (o UIDOption) applyDirect(d *directConfig) { d.frame.UID = string(o) }

// WithUID targets a user-role worker of uid: with WithResource (or Direct's resource) that one
// block, else round-robin over that uid's workers of the app.
func WithUID(uid string) UIDOption { return UIDOption(uid) }

// AckOption asks the server to confirm a Direct or a Publish; it applies to both.
type AckOption struct{}

func (AckOption) applyDirect(d *directConfig)   { d.ack = true }
func (AckOption) applyPublish(p *publishConfig) { p.ack = true }

// WithAck makes Direct and Publish wait for the server's ack and return its error (offline,
// forbidden, rate_limited...). Without it they return once the frame is written.
func WithAck() AckOption { return AckOption{} }

type retainOption struct{}

func (retainOption) applyPublish(p *publishConfig) { p.frame.Retain = true }

// Retain keeps a published message as the channel's value for later subscribers; Retain with ""
// clears it.
func Retain() PublishOption { return retainOption{} }

// API calls method on a worker of app and returns its answer. The call's timeout is ctx's deadline
// (at most the edge's apiTimeoutMs, 30 s by default, which is also the default). Errors are
// *Error values matching the sentinels: the worker's app_error or bad_request, ErrTimeout,
// ErrNoResponders, ErrWorkerGone, ErrForbidden, ErrNotFound, ErrNotAWorker, ErrQuotaExceeded, and
// a retryable ErrDisconnected if the socket dropped after the call was sent. A call made while
// disconnected waits for the reconnect.
func (c *Client) API(ctx context.Context, app, method string, data any, opts ...APIOption) (*Reply, error) {
	frame, err := newAPIFrame(app, method, data, opts)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	limit := time.Duration(c.limits.APITimeoutMs) * time.Millisecond
	c.mu.Unlock()
	p := &pending{
		what:   "api " + app + "/" + method,
		expect: true,
		encode: func(id string, remaining time.Duration) []byte {
			f := frame
			f.TimeoutMs = max(1, min(remaining, limit).Milliseconds())
			return f.encode(id)
		},
	}
	// Without a deadline the edge times the call out at apiTimeoutMs; wait a little longer so its answer wins.
	answer, err := c.request(ctx, p, limit+time.Second)
	if err != nil {
		return nil, err
	}
	reply := &Reply{Data: answer.Data}
	if answer.From != nil {
		reply.From = *answer.From
	}
	if len(reply.Data) == 0 {
		reply.Data = json.RawMessage("null")
	}
	return reply, nil
}

// Call is API with the answer decoded into T.
func Call[T any](ctx context.Context, c *Client, app, method string, data any, opts ...APIOption) (T, error) {
	var out T
	reply, err := c.API(ctx, app, method, data, opts...)
	if err != nil {
		return out, err
	}
	err = reply.Decode(&out)
	return out, err
}

// Direct sends a one-way string to one worker of app. Directs from one client to one worker arrive
// in the order sent. With WithAck it returns the server's verdict: ErrOffline, ErrForbidden,
// ErrNotFound, ErrNotAWorker; without, it returns once the frame is written.
func (c *Client) Direct(ctx context.Context, app, resource, text string, opts ...DirectOption) error {
	cfg := newDirectFrame(app, resource, text, opts)
	p := &pending{
		what:   "direct " + app + "/" + resource,
		expect: cfg.ack,
		encode: func(id string, _ time.Duration) []byte { return cfg.frame.encode(id) },
	}
	_, err := c.request(ctx, p, c.opts.RequestTimeout)
	return err
}

// Publish sends text to channel. Retain keeps it as the channel's value; WithAck waits for the
// server (and its errors: forbidden, too_large, rate_limited). Messages of one publisher on one
// channel arrive in the order sent.
func (c *Client) Publish(ctx context.Context, channel, text string, opts ...PublishOption) error {
	if !namePattern.MatchString(channel) {
		return NewError(CodeBadRequest, "channel must match [A-Za-z0-9_.:/-]{1,128}: "+channel)
	}
	cfg := newPubFrame(channel, text, opts)
	p := &pending{
		what:   "pub " + channel,
		expect: cfg.ack,
		encode: func(id string, _ time.Duration) []byte { return cfg.frame.encode(id) },
	}
	_, err := c.request(ctx, p, c.opts.RequestTimeout)
	return err
}

// FindQuery selects blocks for Find. The zero value finds the caller's own uid's online blocks.
type FindQuery struct {
	// App limits the result to one app.
	App string
	// Kind limits the result to one kind.
	Kind string
	// Scope ScopeApp (the app's owner only) finds every online block of App (default: the caller's app).
	Scope string
}

// ScopeApp is the Find scope of every block of an app.
const ScopeApp = "app"

// Find lists online blocks: by default the caller's own uid's, with Scope ScopeApp every block of
// the app (its owner only, else ErrForbidden). Workers' entries list the methods they serve.
func (c *Client) Find(ctx context.Context, q FindQuery) ([]Block, error) {
	frame := newFindFrame(q)
	p := &pending{
		what:   "find",
		expect: true,
		encode: func(id string, _ time.Duration) []byte { return frame.encode(id) },
	}
	answer, err := c.request(ctx, p, c.opts.RequestTimeout)
	if err != nil {
		return nil, err
	}
	blocks := make([]Block, 0, len(answer.Blocks))
	for _, b := range answer.Blocks {
		blocks = append(blocks, b.block())
	}
	return blocks, nil
}

// newAPIFrame is the api frame of a call, before its id and timeoutMs.
func newAPIFrame(app, method string, data any, opts []APIOption) (apiFrame, error) {
	raw, err := encodeData(data)
	if err != nil {
		return apiFrame{}, &Error{Code: CodeBadRequest, Message: "data is not JSON: " + err.Error(), Err: err}
	}
	frame := apiFrame{T: "api", App: app, Method: method, Data: raw}
	for _, o := range opts {
		o.applyAPI(&frame)
	}
	return frame, nil
}

func newDirectFrame(app, resource, text string, opts []DirectOption) directConfig {
	cfg := directConfig{frame: directFrame{T: "direct", App: app, Resource: resource, Data: text}}
	for _, o := range opts {
		o.applyDirect(&cfg)
	}
	return cfg
}

func newPubFrame(channel, text string, opts []PublishOption) publishConfig {
	cfg := publishConfig{frame: pubFrame{T: "pub", Channel: channel, Data: text}}
	for _, o := range opts {
		o.applyPublish(&cfg)
	}
	return cfg
}

func newFindFrame(q FindQuery) findFrame {
	return findFrame{T: "find", App: q.App, Kind: q.Kind, Scope: q.Scope}
}

// DirectMessage is one Direct received.
type DirectMessage struct {
	// From is the sender, stamped by the server.
	From Identity
	Text string
}

// DirectHandler receives Directs, one at a time, in arrival order.
type DirectHandler func(d DirectMessage)

type directEntry struct{ handler DirectHandler }

// OnDirect adds a handler of the Directs sent to this block and returns the function that removes it.
func (c *Client) OnDirect(handler DirectHandler) (remove func()) {
	e := &directEntry{handler: handler}
	c.mu.Lock()
	c.directs = append(c.directs, e)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, d := range c.directs {
			if d == e {
				c.directs = append(c.directs[:i:i], c.directs[i+1:]...)
				return
			}
		}
	}
}

func (c *Client) deliverDirect(d DirectMessage) {
	c.mu.Lock()
	handlers := make([]DirectHandler, 0, len(c.directs))
	for _, e := range c.directs {
		handlers = append(handlers, e.handler)
	}
	c.mu.Unlock()
	c.directQ.push(func() {
		for _, h := range handlers {
			func() {
				defer func() {
					if r := recover(); r != nil {
						c.report(recovered("direct handler", r))
					}
				}()
				h(d)
			}()
		}
	})
}
