//go:build unix

package nexus_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	nexus "github.com/qe/nexus/sdk/go"
)

// TestAGapIsReportedWhenTheHistoryCannotCoverAnOutage drops a subscriber's network twice while the
// real edge stays up and a publisher goes on: a short outage is recovered from the channel's
// history (no gap), one with more messages than the history holds (256 by default) is reported as
// a not_recovered gap, right after the resubscribe's report and before the next message. Each report
// carries the channel's epoch (as an observer's own sub ack tells it) and the seq its ack stood at.
func TestAGapIsReportedWhenTheHistoryCannotCoverAnOutage(t *testing.T) {
	app, owner := newApp(t)
	name := "gap/" + randomHex(4)
	proxy := startCutProxy(t, stack.URL)
	states := make(chan nexus.State, 64)
	c := connect(t, token(t, owner, app), nexus.KindWebUO, func(o *nexus.Options) {
		o.URL = proxy.URL
		o.Reconnect = &nexus.Backoff{InitialDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond}
		o.OnState = func(s nexus.State) { states <- s }
		o.OnError = func(error) {} // the refused reconnects while the network is cut
	})
	events := make(chan string, 16)
	sub, err := c.Subscribe(testContext(t), name, func(m nexus.Message) {
		events <- fmt.Sprintf("msg %d %s", m.Seq, m.Text)
	})
	if err != nil {
		t.Fatal(err)
	}
	sub.OnResubscribed(func(r nexus.Resubscribed) {
		events <- fmt.Sprintf("resubscribed %v epoch %q seq %d (%v)", r.Recovered, r.Epoch, r.Seq, r.HasSeq)
	})
	sub.OnGap(func(g nexus.Gap) {
		events <- fmt.Sprintf("gap %s after %d (%v) next %d (%v) epoch changed %v",
			g.Reason, g.AfterSeq, g.HasAfterSeq, g.NextSeq, g.HasNextSeq, g.EpochChanged)
	})
	pub := connect(t, token(t, owner, app), nexus.KindGoDefault)
	publish := func(text string, opts ...nexus.PublishOption) {
		t.Helper()
		if err := pub.Publish(testContext(t), name, text, opts...); err != nil {
			t.Fatal(err)
		}
	}
	outage := func(during func()) {
		t.Helper()
		proxy.cut()
		waitForState(t, states, nexus.StateDisconnected)
		during()
		proxy.restore()
		waitForState(t, states, nexus.StateConnected)
	}

	publish("first", nexus.WithAck())
	expect(t, events, "msg 1 first")
	epoch, seq := channelPosition(t, token(t, owner, app), name)
	if epoch == "" || seq != 1 {
		t.Fatalf("the channel stands at epoch %q seq %d after one message; want an epoch and seq 1", epoch, seq)
	}
	resubscribed := func(recovered bool, seq int64) string {
		return fmt.Sprintf("resubscribed %v epoch %q seq %d (true)", recovered, epoch, seq)
	}

	outage(func() { publish("while away", nexus.WithAck()) })
	expect(t, events, resubscribed(true, seq+1), "msg 2 while away")

	outage(func() {
		for i := range 299 {
			publish(fmt.Sprint("lost ", i))
		}
		publish("lost 299", nexus.WithAck()) // one publisher's messages are numbered in order: all 300 are in
	})
	publish("after", nexus.WithAck())
	expect(t, events,
		resubscribed(false, seq+1+300),
		"gap not_recovered after 2 (true) next 303 (true) epoch changed false",
		"msg 303 after",
	)
	if recovered, ok := sub.Recovered(); !ok || recovered {
		t.Fatalf("Recovered() = %v, %v after the long outage; want false, true", recovered, ok)
	}
}

// channelPosition is where the channel stands now (its epoch and seq), from the sub ack the edge
// gives a raw socket of its own: an observer beside the SDK under test.
func channelPosition(t *testing.T, tok, channel string) (epoch string, seq int64) {
	t.Helper()
	url := strings.Replace(stack.URL, "http", "ws", 1) + "/v1/connect?kind=webuo"
	ws, _, err := websocket.Dial(testContext(t), url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	type frame struct {
		T     string `json:"t"`
		ID    string `json:"id"`
		Epoch string `json:"epoch"`
		Seq   *int64 `json:"seq"`
	}
	read := func() frame {
		t.Helper()
		_, data, err := ws.Read(testContext(t))
		if err != nil {
			t.Fatal(err)
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	if f := read(); f.T != "welcome" {
		t.Fatalf("observer: %+v before the welcome", f)
	}
	sub := fmt.Sprintf(`{"t":"sub","id":"observer","channel":%q}`, channel)
	if err := ws.Write(testContext(t), websocket.MessageText, []byte(sub)); err != nil {
		t.Fatal(err)
	}
	f := read()
	for f.ID != "observer" { // the retained value, if any
		f = read()
	}
	if f.T != "ack" || f.Seq == nil {
		t.Fatalf("observer's sub: %+v, want an ack with a seq", f)
	}
	return f.Epoch, *f.Seq
}

func waitForState(t *testing.T, states <-chan nexus.State, want nexus.State) {
	t.Helper()
	for receive(t, states, want.String()) != want {
	}
}

// expect reads the next events, which must be want in order.
func expect(t *testing.T, events <-chan string, want ...string) {
	t.Helper()
	for _, w := range want {
		if got := receive(t, events, w); got != w {
			t.Fatalf("event %q, want %q", got, w)
		}
	}
}
