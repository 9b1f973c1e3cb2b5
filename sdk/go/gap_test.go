package nexus

import (
	"fmt"
	"testing"
)

func ackFrame(seq int64, epoch string, recovered bool) *serverFrame {
	f := &serverFrame{T: "ack", Seq: &seq, Epoch: epoch}
	if recovered {
		f.Recovered = &recovered
	}
	return f
}

func live(seq int64) Message { return Message{Channel: "prices", Seq: seq} }

func describeGap(g *Gap) string {
	if g == nil {
		return "none"
	}
	seq := func(n int64, ok bool) string {
		if !ok {
			return "?"
		}
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%s %s after %s next %s epoch changed %v", g.Channel, g.Reason,
		seq(g.AfterSeq, g.HasAfterSeq), seq(g.NextSeq, g.HasNextSeq), g.EpochChanged)
}

func expectGap(t *testing.T, what string, got *Gap, want string) {
	t.Helper()
	if d := describeGap(got); d != want {
		t.Fatalf("%s: gap %s, want %s", what, d, want)
	}
}

func accept(t *testing.T, ch *channel, m Message, wantDeliver bool, wantGap string) {
	t.Helper()
	deliver, gap := ch.accept(m)
	if deliver != wantDeliver {
		t.Fatalf("seq %d (retained %v): deliver %v, want %v", m.Seq, m.Retained, deliver, wantDeliver)
	}
	expectGap(t, fmt.Sprintf("seq %d", m.Seq), gap, wantGap)
}

func TestALiveSeqThatSkipsIsAGapAndADuplicateIsNot(t *testing.T) {
	ch := &channel{name: "prices"}
	ch.acked(ackFrame(40, "e1", false))
	accept(t, ch, Message{Channel: "prices", Seq: 39, Retained: true}, true, "none")
	accept(t, ch, live(41), true, "none")
	accept(t, ch, live(44), true, "prices seq_jump after 41 next 44 epoch changed false")
	accept(t, ch, live(43), false, "none")
	accept(t, ch, live(45), true, "none")
}

func TestTheFirstLiveMessageAfterTheFirstAckJumpsFromTheAcksSeq(t *testing.T) {
	ch := &channel{name: "prices"}
	ch.acked(ackFrame(40, "e1", false))
	accept(t, ch, live(42), true, "prices seq_jump after 40 next 42 epoch changed false")
}

func TestARetainedValueNeitherMovesNorBreaksTheRun(t *testing.T) {
	ch := &channel{name: "prices"}
	ch.acked(&serverFrame{T: "ack"}) // an edge without history: no seq, no epoch
	accept(t, ch, Message{Channel: "prices", Seq: 39, Retained: true}, true, "none")
	accept(t, ch, live(41), true, "none") // nothing to compare with yet
	accept(t, ch, Message{Channel: "prices", Seq: 60, Retained: true}, true, "none")
	accept(t, ch, live(42), true, "none")
	accept(t, ch, live(44), true, "prices seq_jump after 42 next 44 epoch changed false")
}

func TestAnAckThatDidNotRecoverTellsTheGap(t *testing.T) {
	cases := []struct {
		name string
		ack  *serverFrame
		want string
	}{
		{"recovered", ackFrame(50, "e1", true), "none"},
		{"history no longer reached back", ackFrame(50, "e1", false), "prices not_recovered after 41 next 51 epoch changed false"},
		{"a new epoch", ackFrame(2, "e2", false), "prices not_recovered after 41 next 3 epoch changed true"},
		{"a seq below the last one seen", ackFrame(7, "e1", false), "prices not_recovered after 41 next 8 epoch changed true"},
		{"an ack without seq", &serverFrame{T: "ack", Epoch: "e1"}, "prices not_recovered after 41 next ? epoch changed false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch := &channel{name: "prices"}
			ch.acked(ackFrame(40, "e1", false))
			accept(t, ch, live(41), true, "none")
			ch.asked = true
			_, gap := ch.acked(tc.ack)
			expectGap(t, "ack", gap, tc.want)
		})
	}
}

func TestAfterANotRecoveredAckTheRunResumesAtTheAcksSeq(t *testing.T) {
	ch := &channel{name: "prices"}
	ch.acked(ackFrame(40, "e1", false))
	ch.asked = true
	ch.acked(ackFrame(900, "e1", false))
	accept(t, ch, live(901), true, "none")
	ch.acked(ackFrame(905, "e1", true)) // recovered: 902..905 follow
	accept(t, ch, live(902), true, "none")
}

// The reports reach a subscription on its own goroutine, in order with its messages: the
// resubscribed report, then the gap, then what follows the ack; a seq jump before its message.
func TestGapReportsComeInOrderWithTheMessages(t *testing.T) {
	c, sock, sub, events := recoveryClient(t)
	sub.OnGap(func(g Gap) { events <- "gap " + describeGap(&g) })
	removed := sub.OnGap(func(g Gap) { t.Errorf("a removed listener got %+v", g) })
	removed()
	msg(c, sock, 41, "a", false)
	expectEvents(t, events, "msg 41 a")

	resubscribe(t, c, sock, `"seq":900,"epoch":"e1","recovered":false`)
	msg(c, sock, 899, "retained", true)
	msg(c, sock, 901, "live", false)
	msg(c, sock, 905, "after a jump", false)
	expectEvents(t, events,
		`resubscribed prices false epoch "e1" seq 900`,
		"gap prices not_recovered after 41 next 901 epoch changed false",
		"msg 899 retained",
		"msg 901 live",
		"gap prices seq_jump after 901 next 905 epoch changed false",
		"msg 905 after a jump",
	)

	resubscribe(t, c, sock, `"seq":907,"epoch":"e1","recovered":true`)
	msg(c, sock, 906, "recovered", false)
	msg(c, sock, 907, "recovered too", false)
	expectEvents(t, events, `resubscribed prices true epoch "e1" seq 907`, "msg 906 recovered", "msg 907 recovered too")
}

func TestAgainstAnEdgeWithoutHistoryEveryResubscribeIsAGapAfterTheLastMessage(t *testing.T) {
	ch := &channel{name: "prices"}
	ch.acked(&serverFrame{T: "ack"})
	accept(t, ch, live(3), true, "none")
	_, gap := ch.acked(&serverFrame{T: "ack"})
	expectGap(t, "ack without seq or epoch", gap, "prices not_recovered after 3 next ? epoch changed false")
	accept(t, ch, live(9), true, "none") // nothing to compare with after the restart
}

// The report carries where the ack put the channel (its epoch and seq), not the last message the
// client had; an ack without them reports neither.
func TestTheResubscribedReportCarriesTheAcksEpochAndSeq(t *testing.T) {
	ch := &channel{name: "prices"}
	ch.acked(ackFrame(40, "e1", false))
	accept(t, ch, live(41), true, "none")
	ch.asked = true
	report, _ := ch.acked(ackFrame(47, "e1", true))
	if got, want := describeResubscribed(report), `resubscribed prices true epoch "e1" seq 47`; got != want {
		t.Fatalf("report %s, want %s", got, want)
	}
	report, _ = ch.acked(&serverFrame{T: "ack"})
	if got, want := describeResubscribed(report), `resubscribed prices false epoch "" seq ?`; got != want {
		t.Fatalf("an ack without epoch or seq: report %s, want %s", got, want)
	}
}
