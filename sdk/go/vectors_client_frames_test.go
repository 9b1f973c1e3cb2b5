package nexus

import (
	"encoding/json"
	"errors"
	"testing"
)

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
