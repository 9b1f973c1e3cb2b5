package nexus

import (
	"testing"
	"time"
)

func TestBackoffIsFullJitterUpToTheCap(t *testing.T) {
	r := 0.5
	b := newBackoffState(Backoff{InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second, Random: func() float64 { return r }})
	want := []time.Duration{50, 100, 200, 400, 500, 500}
	for i, w := range want {
		if got := b.next(); got != w*time.Millisecond {
			t.Fatalf("delay %d = %v, want %v", i, got, w*time.Millisecond)
		}
	}
	b.reset()
	r = 0.999
	if got := b.next(); got >= 100*time.Millisecond || got < 99*time.Millisecond {
		t.Fatalf("after reset: %v", got)
	}
	r = 0
	if got := b.next(); got != 0 {
		t.Fatalf("full jitter reaches 0: %v", got)
	}
}

func TestBackoffDefaults(t *testing.T) {
	b := newBackoffState(Backoff{})
	if b.cfg.InitialDelay != 500*time.Millisecond || b.cfg.MaxDelay != 2*time.Second || b.cfg.Factor != 2 {
		t.Fatalf("defaults %+v", b.cfg)
	}
	for i := 0; i < 100; i++ {
		if d := b.next(); d < 0 || d >= 2*time.Second {
			t.Fatalf("delay %v out of [0, 2s)", d)
		}
	}
}

func TestConnectURL(t *testing.T) {
	cases := []struct{ base, kind, resource, want string }{
		{"http://127.0.0.1:8787", "godefault", "", "ws://127.0.0.1:8787/v1/connect?kind=godefault"},
		{"https://nexus.example.com/base/", "", "godefault7Hx", "wss://nexus.example.com/base/v1/connect?resource=godefault7Hx"},
		{"ws://h/v1/connect", "webuo", "", "ws://h/v1/connect?kind=webuo"},
		{"wss://h", "godefault", "godefaultA", "wss://h/v1/connect?resource=godefaultA"},
	}
	for _, tc := range cases {
		got, err := connectURL(tc.base, tc.kind, tc.resource)
		if err != nil || got != tc.want {
			t.Fatalf("connectURL(%q) = %q, %v; want %q", tc.base, got, err, tc.want)
		}
	}
	for _, bad := range []string{"ftp://h", "not a url", ""} {
		if _, err := connectURL(bad, "godefault", ""); err == nil {
			t.Fatalf("connectURL(%q) accepted", bad)
		}
	}
}

func TestRefusalError(t *testing.T) {
	cases := []struct {
		status    int
		body      string
		code      Code
		retryable bool
	}{
		{401, `{"error":{"code":"unauthorized","message":"token expired"}}`, CodeUnauthorized, false},
		{403, `{"error":{"code":"forbidden","message":"kind"}}`, CodeForbidden, false},
		{400, `<html>proxy</html>`, CodeBadRequest, false},
		{429, `{"error":{"code":"quota_exceeded","message":"100 blocks"}}`, CodeQuotaExceeded, true},
		{503, ``, CodeUnavailable, true},
		{502, ``, CodeInternal, true},
	}
	for _, tc := range cases {
		e := refusalError(tc.status, []byte(tc.body))
		if e.Code != tc.code || e.Retryable != tc.retryable || e.Status != tc.status {
			t.Fatalf("refusalError(%d) = %+v", tc.status, e)
		}
	}
	if e := refusalError(401, []byte(`{"error":{"code":"unauthorized","message":"token expired"}}`)); e.Message != "connect refused: token expired" {
		t.Fatalf("message %q", e.Message)
	}
}

func TestTerminalCloseCodes(t *testing.T) {
	cases := []struct {
		code         int
		hasTokenFunc bool
		want         Code // "" means reconnect
	}{
		{4001, false, CodeUnauthorized},
		{4001, true, ""},
		{4002, false, ""},
		{4008, false, CodeForbidden},
		{4009, true, CodeDisconnected},
		{1006, false, ""},
		{1001, false, ""},
	}
	for _, tc := range cases {
		e := terminalClose(tc.code, "why", tc.hasTokenFunc)
		if (tc.want == "") != (e == nil) || (e != nil && (e.Code != tc.want || e.CloseCode != tc.code || e.Retryable)) {
			t.Fatalf("terminalClose(%d, tokenFunc %v) = %+v, want %q", tc.code, tc.hasTokenFunc, e, tc.want)
		}
	}
}

func TestSerialQueueKeepsOrderAndDrains(t *testing.T) {
	q := newSerialQueue()
	var got []int
	for i := 0; i < 100; i++ {
		q.push(func() { got = append(got, i) })
	}
	q.close(true)
	<-q.done
	for i, v := range got {
		if v != i {
			t.Fatalf("order: %v", got)
		}
	}
	if len(got) != 100 {
		t.Fatalf("drained %d of 100", len(got))
	}
	q.push(func() { t.Fatal("pushed after close") })
}

func TestChannelAckAndDuplicates(t *testing.T) {
	seq := func(n int64) *int64 { return &n }
	yes := true
	ch := &channel{name: "prices"}
	ch.acked(&serverFrame{T: "ack", Seq: seq(5), Epoch: "e1"})
	if ch.epoch != "e1" || ch.lastSeq != 5 || !ch.active {
		t.Fatalf("first ack: the client stands at its seq: %+v", ch)
	}
	ch.lastSeq = 9 // delivered up to 9
	if f := ch.subFrame(); f.Since == nil || *f.Since != 9 || f.Epoch != "e1" {
		t.Fatalf("resubscribe frame %+v", f)
	}
	ch.asked = true
	if r, _ := ch.acked(&serverFrame{T: "ack", Seq: seq(12), Epoch: "e1", Recovered: &yes}); !r.Recovered || ch.lastSeq != 9 {
		t.Fatalf("a recovery keeps lastSeq (the missed messages follow): %d", ch.lastSeq)
	}
	if r, _ := ch.acked(&serverFrame{T: "ack", Seq: seq(12), Epoch: "e1"}); r.Recovered || ch.lastSeq != 12 || ch.retainedFloor != 9 {
		t.Fatalf("a gap moves the client to the ack's seq, the retained value below 9 is not again: %+v", ch)
	}
	ch.acked(&serverFrame{T: "ack", Seq: seq(3), Epoch: "e1"})
	if ch.lastSeq != 3 || ch.retainedFloor != 0 {
		t.Fatalf("a seq below the last one restarts: %+v", ch)
	}
	ch.lastSeq = 9
	ch.acked(&serverFrame{T: "ack", Seq: seq(40), Epoch: "e2"})
	if ch.lastSeq != 40 || ch.epoch != "e2" || ch.retainedFloor != 0 {
		t.Fatalf("a new epoch restarts: %+v", ch)
	}
	ch.acked(&serverFrame{T: "ack"})
	if f := ch.subFrame(); f.Since != nil || f.Epoch != "" {
		t.Fatalf("an edge without epochs gets no since: %+v", f)
	}
}
