package nexus

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// The conformance vectors shared by every Nexus SDK (test/vectors/README.md).

func readVectors(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "test", "vectors", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// sameJSON compares two JSON texts as values.
func sameJSON(t *testing.T, what string, got []byte, want json.RawMessage) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %s is not JSON: %v", what, got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got  %s\n want %s", what, got, want)
	}
}

func TestVectorsJIDs(t *testing.T) {
	var v struct {
		Valid   []struct{ JID, App, UID, Role, Domain, Resource, Kind string }
		Invalid []string
	}
	readVectors(t, "jids.json", &v)
	for _, want := range v.Valid {
		got, ok := ParseJID(want.JID)
		if !ok || got.App != want.App || got.UID != want.UID || got.Role != want.Role || got.Domain != want.Domain ||
			got.Resource != want.Resource || got.Kind != want.Kind {
			t.Fatalf("ParseJID(%q) = %+v, %v; want %+v", want.JID, got, ok, want)
		}
		if got.String() != want.JID {
			t.Fatalf("String() = %q, want %q", got.String(), want.JID)
		}
	}
	for _, bad := range v.Invalid {
		if got, ok := ParseJID(bad); ok {
			t.Fatalf("ParseJID(%q) accepted: %+v", bad, got)
		}
	}
}

func TestVectorsResources(t *testing.T) {
	var v []struct {
		Resource string
		Kind     *string
		Suffix   string
	}
	readVectors(t, "resources.json", &v)
	for _, want := range v {
		kind, suffix, ok := ParseResource(want.Resource)
		if want.Kind == nil {
			if ok {
				t.Fatalf("ParseResource(%q) accepted: %s %s", want.Resource, kind, suffix)
			}
			continue
		}
		if !ok || kind != *want.Kind || suffix != want.Suffix {
			t.Fatalf("ParseResource(%q) = %q %q %v; want %q %q", want.Resource, kind, suffix, ok, *want.Kind, want.Suffix)
		}
	}
}

type clientVector struct {
	Name  string
	Op    string
	Args  map[string]json.RawMessage
	Frame json.RawMessage
	Text  string
}

func (v clientVector) str(key string) string {
	var s string
	_ = json.Unmarshal(v.Args[key], &s)
	return s
}

func (v clientVector) has(key string) bool { _, ok := v.Args[key]; return ok }

// TestVectorsClientFrames builds each frame with the SDK's own builders and options.
func TestVectorsClientFrames(t *testing.T) {
	var vectors []clientVector
	readVectors(t, "client-frames.json", &vectors)
	for _, v := range vectors {
		var got []byte
		switch v.Op {
		case "api":
			var opts []APIOption
			if v.has("resource") {
				opts = append(opts, WithResource(v.str("resource")))
			}
			if v.has("uid") {
				opts = append(opts, WithUID(v.str("uid")))
			}
			var data any
			if v.has("data") {
				data = v.Args["data"]
			}
			f, err := newAPIFrame(v.str("app"), v.str("method"), data, opts)
			if err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal(v.Args["timeoutMs"], &f.TimeoutMs)
			got = f.encode(v.str("id"))
		case "api.res":
			var ok bool
			_ = json.Unmarshal(v.Args["ok"], &ok)
			var value any
			var err error
			if v.has("data") {
				value = v.Args["data"]
			}
			if !ok {
				var we wireError
				_ = json.Unmarshal(v.Args["error"], &we)
				err = NewError(we.Code, we.Message)
				if we.Code == CodeAppError {
					err = errors.New(we.Message) // a handler's plain error answers app_error
				}
			}
			got = answerFrame(v.str("rid"), value, err).encode()
		case "serve":
			var methods []string
			_ = json.Unmarshal(v.Args["methods"], &methods)
			got = serveFrame{T: "serve", Methods: methods}.encode(v.str("id"))
		case "direct":
			var opts []DirectOption
			if v.has("uid") {
				opts = append(opts, WithUID(v.str("uid")))
			}
			if v.has("id") {
				opts = append(opts, WithAck())
			}
			cfg := newDirectFrame(v.str("app"), v.str("resource"), v.str("data"), opts)
			if cfg.ack != v.has("id") {
				t.Fatalf("%s: ack %v", v.Name, cfg.ack)
			}
			got = cfg.frame.encode(v.str("id"))
		case "sub":
			ch := &channel{name: v.str("channel")}
			if v.has("since") {
				_ = json.Unmarshal(v.Args["since"], &ch.lastSeq)
				ch.epoch = v.str("epoch")
			}
			got = ch.subFrame().encode(v.str("id"))
		case "unsub":
			got = subFrame{T: "unsub", Channel: v.str("channel")}.encode(v.str("id"))
		case "pub":
			var opts []PublishOption
			var retain bool
			_ = json.Unmarshal(v.Args["retain"], &retain)
			if retain {
				opts = append(opts, Retain())
			}
			if v.has("id") {
				opts = append(opts, WithAck())
			}
			cfg := newPubFrame(v.str("channel"), v.str("data"), opts)
			got = cfg.frame.encode(v.str("id"))
		case "find":
			got = newFindFrame(FindQuery{App: v.str("app"), Kind: v.str("kind"), Scope: v.str("scope")}).encode(v.str("id"))
		case "ping":
			got = []byte(pingFrame)
		case "will":
			if v.has("clear") {
				got = clearWillFrame{T: "will", Clear: true}.encode(v.str("id"))
			} else {
				var retain bool
				_ = json.Unmarshal(v.Args["retain"], &retain)
				got = newWillFrame(Will{Channel: v.str("channel"), Data: v.str("data"), Retain: retain}).encode(v.str("id"))
			}
		default:
			t.Fatalf("%s: unknown op %q", v.Name, v.Op)
		}
		sameJSON(t, v.Name, got, v.Frame)
		if v.Text != "" && string(got) != v.Text {
			t.Fatalf("%s: text %q, want exactly %q", v.Name, got, v.Text)
		}
	}
}

type serverVector struct {
	Name   string
	Frame  json.RawMessage
	Expect struct {
		Kind           string
		ID, RID        string
		JID, Resource  string
		MaxFrameBytes  int
		APITimeoutMs   int64
		PingIntervalMs int64
		Data           json.RawMessage
		Code           Code
		Retryable      bool
		Message        string
		Quota          string
		Method         string
		FromJID        string
		Channel, Text  string
		Seq            *int64
		Retained       bool
		Epoch          string
		Recovered      *bool
		Blocks         []struct {
			JID, Kind string
			Since     int64
			Methods   []string
		}
	}
}

// newOfflineClient is a client with a socket that is never dialed: frames go in through dispatch
// and what the client writes stays in the socket's queue.
func newOfflineClient(onError func(error)) (*Client, *socket) {
	life, cancel := context.WithCancel(context.Background())
	c := &Client{
		opts: Options{OnError: onError}.withDefaults(), ctx: life, cancel: cancel,
		events: newSerialQueue(), directQ: newSerialQueue(), done: make(chan struct{}),
		state: StateConnected, limits: defaultLimits, pending: map[string]*pending{},
		served: servedMethods{handlers: map[string]*serviceEntry{}}, channels: map[string]*channel{},
	}
	sock := newSocket(life, nil)
	c.sock = sock
	return c, sock
}

// await registers a request with a given id on sock and returns where its answer arrives.
func (c *Client) awaitID(sock *socket, id string, onAck func(*serverFrame)) chan answer {
	result := make(chan answer, 1)
	p := &pending{id: id, what: "vector", expect: true, sent: true, sock: sock, onAck: onAck, done: make(chan struct{})}
	p.settle = func(a answer) { result <- a }
	c.mu.Lock()
	c.pending[id] = p
	c.mu.Unlock()
	return result
}

func TestVectorsServerFrames(t *testing.T) {
	var vectors []serverVector
	readVectors(t, "server-frames.json", &vectors)
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) { checkServerVector(t, v) })
	}
}

func checkServerVector(t *testing.T, v serverVector) {
	errs := make(chan error, 10)
	c, sock := newOfflineClient(func(err error) { errs <- err })
	defer c.cancel()
	e := v.Expect
	wait := func(what string) {
		t.Helper()
		t.Fatalf("no %s within 5 s", what)
	}
	switch e.Kind {
	case "welcome":
		f, _ := decodeServerFrame(v.Frame)
		w, ok := parseWelcome(f)
		if !ok || w.identity.JID != e.JID || w.identity.Resource != e.Resource || w.limits.MaxFrameBytes != e.MaxFrameBytes ||
			w.limits.APITimeoutMs != e.APITimeoutMs || w.limits.PingIntervalMs != e.PingIntervalMs {
			t.Fatalf("welcome = %+v", w)
		}
	case "api_ok", "api_error", "request_error", "ack", "blocks":
		var ch *channel
		var onAck func(*serverFrame)
		if e.Kind == "ack" {
			// A resubscribe that asked for everything after 37.
			ch = &channel{name: "prices", epoch: e.Epoch, lastSeq: 37, asked: true}
			onAck = func(f *serverFrame) { ch.acked(f) }
		}
		result := c.awaitID(sock, e.ID, onAck)
		c.dispatch(sock, v.Frame)
		var a answer
		select {
		case a = <-result:
		case <-time.After(5 * time.Second):
			wait("answer")
		}
		frame, err := a.outcome()
		switch e.Kind {
		case "api_ok":
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "data", frame.Data, e.Data)
		case "api_error", "request_error":
			var ne *Error
			if !errors.As(err, &ne) || ne.Code != e.Code || ne.Retryable != e.Retryable || (e.Message != "" && ne.Message != e.Message) ||
				ne.Quota != e.Quota {
				t.Fatalf("error = %#v, want %s retryable %v", err, e.Code, e.Retryable)
			}
		case "ack":
			if err != nil || !ch.active {
				t.Fatalf("ack: %v, active %v", err, ch.active)
			}
			if e.Seq != nil && (frame.Seq == nil || *frame.Seq != *e.Seq) || frame.Epoch != e.Epoch ||
				(e.Recovered != nil) != (frame.Recovered != nil) {
				t.Fatalf("ack fields: %+v", frame)
			}
			// Same epoch: recovered, the missed messages after 37 follow; else the client now stands
			// at the ack's seq (nothing at or below it comes again, the retained value aside).
			want := int64(37)
			if (e.Recovered == nil || !*e.Recovered) && e.Seq != nil {
				want = *e.Seq
			}
			if e.Epoch != "" && ch.lastSeq != want {
				t.Fatalf("lastSeq %d after an ack under the same epoch, want %d", ch.lastSeq, want)
			}
		case "blocks":
			if err != nil || len(frame.Blocks) != len(e.Blocks) {
				t.Fatalf("blocks: %v %+v", err, frame)
			}
			for i, wb := range frame.Blocks {
				b, want := wb.block(), e.Blocks[i]
				if b.JID != want.JID || b.Kind != want.Kind || b.Since.UnixMilli() != want.Since || !reflect.DeepEqual(b.Methods, want.Methods) {
					t.Fatalf("block %d = %+v, want %+v", i, b, want)
				}
			}
		}
	case "api_request":
		got := make(chan *Request, 1)
		c.served.handlers[e.Method] = &serviceEntry{method: e.Method, handler: func(_ context.Context, req *Request) (any, error) {
			got <- req
			return "answer", nil
		}}
		c.dispatch(sock, v.Frame)
		var req *Request
		select {
		case req = <-got:
		case <-time.After(5 * time.Second):
			wait("handler call")
		}
		if req.Method != e.Method || req.From.JID != e.FromJID {
			t.Fatalf("request = %+v", req)
		}
		sameJSON(t, "data", req.Data, e.Data)
		select {
		case <-sock.wake:
		case <-time.After(5 * time.Second):
			wait("api.res")
		}
		sock.mu.Lock()
		queue := sock.queue
		sock.mu.Unlock()
		if len(queue) != 1 {
			t.Fatalf("%d frames written, want one api.res", len(queue))
		}
		sameJSON(t, "api.res", queue[0].text, json.RawMessage(`{"t":"api.res","rid":"`+e.RID+`","ok":true,"data":"answer"}`))
	case "message":
		sub := newSubscription(c, e.Channel, nil, true)
		c.channels[e.Channel] = &channel{name: e.Channel, subs: map[*Subscription]struct{}{sub: {}}, active: true}
		c.dispatch(sock, v.Frame)
		select {
		case m := <-sub.Messages():
			if m.Channel != e.Channel || m.Text != e.Text || m.Seq != *e.Seq || m.Retained != e.Retained || m.From.JID != e.FromJID {
				t.Fatalf("message = %+v", m)
			}
		case <-time.After(5 * time.Second):
			wait("message")
		}
	case "direct":
		got := make(chan DirectMessage, 1)
		c.OnDirect(func(d DirectMessage) { got <- d })
		c.dispatch(sock, v.Frame)
		select {
		case d := <-got:
			if d.Text != e.Text || d.From.JID != e.FromJID {
				t.Fatalf("direct = %+v", d)
			}
		case <-time.After(5 * time.Second):
			wait("direct")
		}
	case "client_error", "ignored":
		c.dispatch(sock, v.Frame)
		// A marker after it: the first error reported is the vector's (client_error) or the marker (ignored).
		c.dispatch(sock, []byte(`{"t":"error","code":"internal","message":"marker"}`))
		var err error
		select {
		case err = <-errs:
		case <-time.After(5 * time.Second):
			wait("error event")
		}
		var ne *Error
		if !errors.As(err, &ne) {
			t.Fatalf("error event %v", err)
		}
		if e.Kind == "ignored" && ne.Message != "marker" {
			t.Fatalf("an ignored frame reported %v", err)
		}
		if e.Kind == "client_error" && (ne.Code != e.Code || ne.Retryable != e.Retryable) {
			t.Fatalf("client error = %#v, want %s", err, e.Code)
		}
	default:
		t.Fatalf("unknown expect kind %q", e.Kind)
	}
}

func TestVectorsErrors(t *testing.T) {
	var v struct {
		Codes []struct {
			Code      Code
			Retryable bool
		}
		UnknownCode struct {
			Code      Code
			Retryable bool
		}
		Closes []struct {
			Code      int
			Reconnect any
			Error     Code
		}
		ConnectRefusals []struct {
			Status    int
			Body      string
			Code      Code
			Quota     string
			Retryable bool
		}
	}
	readVectors(t, "errors.json", &v)
	sentinels := map[Code]*Error{}
	for _, s := range []*Error{ErrBadRequest, ErrTooLarge, ErrRateLimited, ErrQuotaExceeded, ErrForbidden, ErrNotFound,
		ErrOffline, ErrNotAWorker, ErrNoResponders, ErrWorkerGone, ErrTimeout, ErrAppError, ErrInternal, ErrUnauthorized,
		ErrUnavailable, ErrDisconnected} {
		sentinels[s.Code] = s
	}
	for _, c := range v.Codes {
		s, ok := sentinels[c.Code]
		if !ok || c.Code.Retryable() != c.Retryable || s.Retryable != c.Retryable {
			t.Fatalf("code %s: sentinel %v, retryable %v, want %v", c.Code, ok, c.Code.Retryable(), c.Retryable)
		}
		if e := (wireError{Code: c.Code, Message: "m"}).toError(); !errors.Is(e, s) || e.Retryable != c.Retryable {
			t.Fatalf("code %s from the wire: %#v", c.Code, e)
		}
	}
	if e := (wireError{Code: v.UnknownCode.Code, Message: "?"}).toError(); e.Code != v.UnknownCode.Code || e.Retryable != v.UnknownCode.Retryable {
		t.Fatalf("unknown code: %#v", e)
	}
	for _, c := range v.Closes {
		for _, hasTokenFunc := range []bool{false, true} {
			e := terminalClose(c.Code, "", hasTokenFunc)
			reconnect := c.Reconnect == true || (c.Reconnect == "with_new_token" && hasTokenFunc)
			if reconnect != (e == nil) || (e != nil && (e.Code != c.Error || e.Retryable)) {
				t.Fatalf("close %d (TokenFunc %v): %+v, want reconnect %v error %q", c.Code, hasTokenFunc, e, c.Reconnect, c.Error)
			}
		}
	}
	for _, r := range v.ConnectRefusals {
		if e := refusalError(r.Status, []byte(r.Body)); e.Code != r.Code || e.Retryable != r.Retryable || e.Quota != r.Quota {
			t.Fatalf("refusal %d %s: %+v", r.Status, r.Body, e)
		}
	}
}
