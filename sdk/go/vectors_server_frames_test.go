package nexus

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

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
