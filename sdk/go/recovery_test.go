package nexus

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// recoveryClient is an offline client with one handler subscription to "prices", acked with seq 40
// under epoch e1; everything the subscription sees (messages and resubscribe reports) lands in events.
func recoveryClient(t *testing.T) (*Client, *socket, *Subscription, chan string) {
	t.Helper()
	c, sock := newOfflineClient(func(err error) { t.Errorf("OnError: %v", err) })
	t.Cleanup(c.cancel)
	events := make(chan string, 100)
	subbed := make(chan *Subscription, 1)
	go func() {
		sub, err := c.Subscribe(context.Background(), "prices", func(m Message) {
			events <- fmt.Sprintf("msg %d %s", m.Seq, m.Text)
		})
		if err != nil {
			t.Errorf("Subscribe: %v", err)
		}
		subbed <- sub
	}()
	ack(t, c, sock, `"seq":40,"epoch":"e1"`)
	sub := <-subbed
	sub.OnResubscribed(func(r Resubscribed) { events <- describeResubscribed(r) })
	return c, sock, sub, events
}

// describeResubscribed is a report as the tests expect it: "resubscribed <channel> <recovered>
// epoch <epoch> seq <seq>", seq "?" when the ack had none.
func describeResubscribed(r Resubscribed) string {
	seq := "?"
	if r.HasSeq {
		seq = fmt.Sprint(r.Seq)
	}
	return fmt.Sprintf("resubscribed %s %v epoch %q seq %s", r.Channel, r.Recovered, r.Epoch, seq)
}

// ack answers the sub the client wrote last with the given ack fields and returns what it asked.
func ack(t *testing.T, c *Client, sock *socket, fields string) subFrame {
	t.Helper()
	f := nextWritten(t, sock, "sub", func(f outFrame) bool { return f.req != nil && f.req.what == "sub prices" })
	var frame subFrame
	if err := json.Unmarshal(f.text, &frame); err != nil {
		t.Fatal(err)
	}
	c.dispatch(sock, []byte(`{"t":"ack","id":"`+f.req.id+`",`+fields+`}`))
	return frame
}

// resubscribe sends the sub a restore after a reconnect would send, answers it with the given ack
// fields and returns what it asked.
func resubscribe(t *testing.T, c *Client, sock *socket, fields string) subFrame {
	t.Helper()
	c.mu.Lock()
	ch := c.channels["prices"]
	ch.active = false
	c.sendSubLocked(ch)
	c.mu.Unlock()
	return ack(t, c, sock, fields)
}

func msg(c *Client, sock *socket, seq int, text string, retained bool) {
	from := `{"jid":"etest-u1-owner@qepal.com/default1","app":"etest","uid":"u1","role":"owner","resource":"default1","kind":"default"}`
	c.dispatch(sock, []byte(fmt.Sprintf(`{"t":"msg","channel":"prices","data":%q,"seq":%d,"retained":%v,"from":%s}`, text, seq, retained, from)))
}

func expectEvents(t *testing.T, events chan string, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-events:
			if got != w {
				t.Fatalf("event %q, want %q", got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event %q within 5 s", w)
		}
	}
}

func TestARecoveredResubscribeReportsBeforeTheMissedMessagesInOrderOnce(t *testing.T) {
	c, sock, sub, events := recoveryClient(t)
	if _, ok := sub.Recovered(); ok {
		t.Fatal("Recovered reports a resubscribe before any")
	}
	msg(c, sock, 41, "a", false)
	expectEvents(t, events, "msg 41 a")

	asked := resubscribe(t, c, sock, `"seq":44,"epoch":"e1","recovered":true`)
	if asked.Since == nil || *asked.Since != 41 || asked.Epoch != "e1" {
		t.Fatalf("resubscribe asked %+v, want since 41 epoch e1", asked)
	}
	for _, seq := range []int{42, 43, 44, 43, 45} { // 43 twice: the second is dropped
		msg(c, sock, seq, fmt.Sprint(seq), false)
	}
	expectEvents(t, events, `resubscribed prices true epoch "e1" seq 44`, "msg 42 42", "msg 43 43", "msg 44 44", "msg 45 45")
	if recovered, ok := sub.Recovered(); !ok || !recovered {
		t.Fatalf("Recovered() = %v, %v", recovered, ok)
	}
}

func TestAGapReportsFalseThenTheNewRetainedValueAndLaterAsksFromAfterTheGap(t *testing.T) {
	c, sock, sub, events := recoveryClient(t)
	msg(c, sock, 39, "kept", true)
	expectEvents(t, events, "msg 39 kept")

	resubscribe(t, c, sock, `"seq":900,"epoch":"e1","recovered":false`)
	msg(c, sock, 39, "kept", true) // had it already
	msg(c, sock, 899, "newer", true)
	msg(c, sock, 901, "live", false)
	expectEvents(t, events, `resubscribed prices false epoch "e1" seq 900`, "msg 899 newer", "msg 901 live")
	if recovered, ok := sub.Recovered(); !ok || recovered {
		t.Fatalf("Recovered() = %v, %v", recovered, ok)
	}

	if asked := resubscribe(t, c, sock, `"seq":901,"epoch":"e1","recovered":true`); *asked.Since != 901 {
		t.Fatalf("asked since %d, want 901", *asked.Since)
	}
	expectEvents(t, events, `resubscribed prices true epoch "e1" seq 901`)
}

func TestASubscriberThatSawNothingAsksFromItsFirstAck(t *testing.T) {
	c, sock, _, events := recoveryClient(t)
	if asked := resubscribe(t, c, sock, `"seq":42,"epoch":"e1","recovered":true`); *asked.Since != 40 {
		t.Fatalf("asked since %d, want 40 (the first ack's seq: older messages were never its own)", *asked.Since)
	}
	msg(c, sock, 41, "missed", false)
	expectEvents(t, events, `resubscribed prices true epoch "e1" seq 42`, "msg 41 missed")
}

func TestANewEpochStartsOverAndReportsFalse(t *testing.T) {
	c, sock, _, events := recoveryClient(t)
	msg(c, sock, 41, "old", false)
	expectEvents(t, events, "msg 41 old")
	resubscribe(t, c, sock, `"seq":2,"epoch":"e2","recovered":false`)
	msg(c, sock, 2, "retained in the new sequence", true)
	msg(c, sock, 3, "new", false)
	expectEvents(t, events, `resubscribed prices false epoch "e2" seq 2`, "msg 2 retained in the new sequence", "msg 3 new")
}
