package nexus

import (
	"context"
	"net/http"
	"time"
)

// Options configure Connect. URL, a token source and Kind or Resource are required.
type Options struct {
	// URL is the edge's base URL, http(s)://host[:port] or ws(s)://host[:port]; /v1/connect is appended.
	URL string
	// Token is a fixed token (a JWT). Use TokenFunc instead for tokens that expire.
	Token string
	// TokenFunc is asked for a token on every (re)connect, and again after close 4001 (token expired).
	// When set, Token is ignored.
	TokenFunc func(ctx context.Context) (string, error)
	// Kind is a resource kind (KindGoDefault, ...); the server adds a random suffix.
	// After the first welcome the client reconnects to the same resource, so its JID survives.
	Kind string
	// Resource is an exact resource ("godefault7Hx"), instead of Kind.
	Resource string

	// Reconnect shapes the full-jitter backoff between reconnect attempts; nil means the defaults.
	Reconnect *Backoff
	// NoReconnect makes the first drop final (state Closed) instead of reconnecting.
	NoReconnect bool
	// PingInterval is how often the client sends {"t":"ping"}; 0 means the edge's pingIntervalMs
	// (from welcome, default 20 s). It is never longer than the edge's.
	PingInterval time.Duration
	// PongTimeout is how long after a ping a silent socket is declared dead and reconnected (default 10 s).
	PongTimeout time.Duration
	// ConnectTimeout bounds opening a socket and receiving welcome (default 10 s).
	ConnectTimeout time.Duration
	// RequestTimeout bounds waiting for the ack of serve, sub, unsub, find, and of Direct and
	// Publish with Ack, when the context has no deadline (default 30 s).
	RequestTimeout time.Duration

	// OnState is called on every state change, in order, from one goroutine at a time.
	OnState func(State)
	// OnError receives failures no call can return: a refused reconnect, a final close code,
	// a handler's panic, an error frame that answers nothing. Without it they are dropped.
	OnError func(error)

	// HTTPClient is used for the WebSocket handshake (default http.DefaultClient).
	HTTPClient *http.Client
	// HTTPHeader is sent with the handshake, beside the Authorization header the client sets.
	HTTPHeader http.Header
}

func (o Options) withDefaults() Options {
	if o.PongTimeout <= 0 {
		o.PongTimeout = 10 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.Reconnect == nil {
		o.Reconnect = &Backoff{}
	}
	return o
}

func (o Options) validate() error {
	if o.URL == "" {
		return NewError(CodeBadRequest, "Options.URL is required")
	}
	if o.Token == "" && o.TokenFunc == nil {
		return NewError(CodeBadRequest, "Options.Token or Options.TokenFunc is required")
	}
	if o.Kind == "" && o.Resource == "" {
		return NewError(CodeBadRequest, "Options.Kind or Options.Resource is required")
	}
	return nil
}

func (o Options) token(ctx context.Context) (string, error) {
	if o.TokenFunc != nil {
		return o.TokenFunc(ctx)
	}
	return o.Token, nil
}

// State is the client's connection state.
type State int

// The client's states, as every Nexus SDK has them.
const (
	// StateConnecting: opening a socket, or restoring served methods and subscriptions after welcome.
	StateConnecting State = iota
	// StateConnected: welcomed and every declaration restored; calls go out at once.
	StateConnected
	// StateDisconnected: the socket dropped and a reconnect is scheduled; calls wait for it.
	StateDisconnected
	// StateClosed: final, by Close, a refusal or close code 4001 (without TokenFunc), 4008 or 4009.
	StateClosed
)

// String returns "connecting", "connected", "disconnected" or "closed".
func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateClosed:
		return "closed"
	}
	return "unknown"
}
