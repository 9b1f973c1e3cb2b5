package nexus

import (
	"encoding/json"
	"time"
)

// pingFrame is the exact keepalive text: the edge's runtime answers it without waking the object,
// so it must match byte for byte.
const pingFrame = `{"t":"ping"}`

// Client frames. Field order is the wire order: "t" and "id" lead, so the edge can echo the id
// even of a frame too large to parse.

type apiFrame struct {
	T         string          `json:"t"`
	ID        string          `json:"id"`
	App       string          `json:"app"`
	Method    string          `json:"method"`
	Data      json.RawMessage `json:"data"`
	Resource  string          `json:"resource,omitempty"`
	UID       string          `json:"uid,omitempty"`
	TimeoutMs int64           `json:"timeoutMs,omitempty"`
}

type apiResFrame struct {
	T     string          `json:"t"`
	RID   string          `json:"rid"`
	OK    bool            `json:"ok"`
	Data  json.RawMessage `json:"data,omitempty"`
	Error *wireError      `json:"error,omitempty"`
}

type serveFrame struct {
	T       string   `json:"t"`
	ID      string   `json:"id"`
	Methods []string `json:"methods"`
}

type directFrame struct {
	T        string `json:"t"`
	ID       string `json:"id,omitempty"`
	App      string `json:"app"`
	Resource string `json:"resource"`
	UID      string `json:"uid,omitempty"`
	Data     string `json:"data"`
}

type subFrame struct {
	T       string `json:"t"`
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Since   *int64 `json:"since,omitempty"`
	Epoch   string `json:"epoch,omitempty"`
}

type pubFrame struct {
	T       string `json:"t"`
	ID      string `json:"id,omitempty"`
	Channel string `json:"channel"`
	Data    string `json:"data"`
	Retain  bool   `json:"retain,omitempty"`
}

type findFrame struct {
	T     string `json:"t"`
	ID    string `json:"id"`
	App   string `json:"app,omitempty"`
	Kind  string `json:"kind,omitempty"`
	Scope string `json:"scope,omitempty"`
}

// encode returns the frame with id ("" leaves a fire-and-forget frame without one).
func (f apiFrame) encode(id string) []byte    { f.ID = id; return marshalFrame(f, f.T, id) }
func (f apiResFrame) encode() []byte          { return marshalFrame(f, f.T, "") }
func (f serveFrame) encode(id string) []byte  { f.ID = id; return marshalFrame(f, f.T, id) }
func (f directFrame) encode(id string) []byte { f.ID = id; return marshalFrame(f, f.T, id) }
func (f subFrame) encode(id string) []byte    { f.ID = id; return marshalFrame(f, f.T, id) }
func (f pubFrame) encode(id string) []byte    { f.ID = id; return marshalFrame(f, f.T, id) }
func (f findFrame) encode(id string) []byte   { f.ID = id; return marshalFrame(f, f.T, id) }

// marshalFrame encodes a frame struct. Its data was validated as JSON before, so this cannot fail;
// if it ever did, the bare frame goes out and the edge answers bad_request to its id.
func marshalFrame(v any, t, id string) []byte {
	if b, err := json.Marshal(v); err == nil {
		return b
	}
	b, _ := json.Marshal(map[string]string{"t": t, "id": id})
	return b
}

// Limits are the server's limits from welcome; zero fields were not announced.
type Limits struct {
	MaxFrameBytes    int   `json:"maxFrameBytes"`
	APITimeoutMs     int64 `json:"apiTimeoutMs"`
	MaxSubscriptions int   `json:"maxSubscriptions"`
	MaxPendingCalls  int   `json:"maxPendingCalls"`
	MaxServedMethods int   `json:"maxServedMethods"`
	MaxBlocksPerUser int   `json:"maxBlocksPerUser"`
	PingIntervalMs   int64 `json:"pingIntervalMs"`
}

// defaultLimits are the contract's defaults, used for what a welcome leaves out.
var defaultLimits = Limits{
	MaxFrameBytes: 262144, APITimeoutMs: 30000, MaxSubscriptions: 1000, MaxPendingCalls: 1000,
	MaxServedMethods: 256, MaxBlocksPerUser: 100, PingIntervalMs: 20000,
}

func (l Limits) withDefaults() Limits {
	d := defaultLimits
	if l.MaxFrameBytes > 0 {
		d.MaxFrameBytes = l.MaxFrameBytes
	}
	if l.APITimeoutMs > 0 {
		d.APITimeoutMs = l.APITimeoutMs
	}
	if l.MaxSubscriptions > 0 {
		d.MaxSubscriptions = l.MaxSubscriptions
	}
	if l.MaxPendingCalls > 0 {
		d.MaxPendingCalls = l.MaxPendingCalls
	}
	if l.MaxServedMethods > 0 {
		d.MaxServedMethods = l.MaxServedMethods
	}
	if l.MaxBlocksPerUser > 0 {
		d.MaxBlocksPerUser = l.MaxBlocksPerUser
	}
	if l.PingIntervalMs > 0 {
		d.PingIntervalMs = l.PingIntervalMs
	}
	return d
}

// serverFrame is every frame the server sends, decoded into one struct; t says which fields count.
type serverFrame struct {
	T         string          `json:"t"`
	ID        string          `json:"id,omitempty"`
	RID       string          `json:"rid,omitempty"`
	V         int             `json:"v,omitempty"`
	JID       string          `json:"jid,omitempty"`
	From      *Identity       `json:"from,omitempty"`
	Limits    *Limits         `json:"limits,omitempty"`
	Code      Code            `json:"code,omitempty"`
	Quota     string          `json:"quota,omitempty"`
	Message   string          `json:"message,omitempty"`
	OK        *bool           `json:"ok,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Error     *wireError      `json:"error,omitempty"`
	Method    string          `json:"method,omitempty"`
	Channel   string          `json:"channel,omitempty"`
	Seq       *int64          `json:"seq,omitempty"`
	Retained  bool            `json:"retained,omitempty"`
	Epoch     string          `json:"epoch,omitempty"`
	Recovered *bool           `json:"recovered,omitempty"`
	Blocks    []wireBlock     `json:"blocks,omitempty"`
}

type wireBlock struct {
	Identity
	Since   int64    `json:"since"`
	Methods []string `json:"methods,omitempty"`
}

func (b wireBlock) block() Block {
	methods := b.Methods
	if methods == nil {
		methods = []string{} // the contract: a block without methods serves none
	}
	return Block{Identity: b.Identity, Since: time.UnixMilli(b.Since), Methods: methods}
}

// parseWelcome takes the block's identity and the limits (defaults for what is missing) from a welcome.
func parseWelcome(f serverFrame) (welcomeFrame, bool) {
	if f.T != "welcome" || f.From == nil {
		return welcomeFrame{}, false
	}
	var limits Limits
	if f.Limits != nil {
		limits = *f.Limits
	}
	return welcomeFrame{identity: *f.From, limits: limits.withDefaults()}, true
}

// decodeServerFrame parses one text frame; ok is false for text that is not a JSON object with a "t".
func decodeServerFrame(text []byte) (serverFrame, bool) {
	var f serverFrame
	if err := json.Unmarshal(text, &f); err != nil || f.T == "" {
		return serverFrame{}, false
	}
	return f, true
}

// text returns data as the string that direct and msg frames carry.
func (f *serverFrame) text() (string, bool) {
	var s string
	if err := json.Unmarshal(f.Data, &s); err != nil {
		return "", false
	}
	return s, true
}

// answerError is the *Error an answer frame carries, or nil for a success.
func (f *serverFrame) answerError() *Error {
	switch {
	case f.T == "error":
		return wireError{Code: f.Code, Quota: f.Quota, Message: f.Message}.toError()
	case f.T == "api.result" && (f.OK == nil || !*f.OK):
		if f.Error == nil {
			return NewError(CodeInternal, "api.result without ok or error")
		}
		return f.Error.toError()
	}
	return nil
}
