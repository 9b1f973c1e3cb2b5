package nexus

// channel is one channel this client wants, with its local subscriptions and where it stands:
// every seq up to lastSeq under epoch was delivered, or came before the subscription began, so a
// resubscribe asks for what it missed (since/epoch).
type channel struct {
	name   string
	subs   map[*Subscription]struct{}
	active bool
	// inflight is the sub awaiting its ack on the current socket, if any; asked tells whether it
	// carried since/epoch.
	inflight *pending
	asked    bool
	waiters  []*subWaiter
	// retry: a resubscribe the edge refused for now waits to be tried again (see retryLaterLocked).
	retry   *resubscribeRetryState
	lastSeq int64
	// standing: lastSeq is a position in the channel's run (an ack's seq or a live message's), so a
	// seq that skips past lastSeq+1 is a gap. False until the edge told one, and after a restart.
	standing bool
	epoch    string
	// retainedFloor: a retained value at or below it was delivered before the latest reconnect.
	retainedFloor int64
	// subscribed: acked once at least, so a later sub is a resubscribe the subscriptions hear of.
	subscribed bool
}

// subFrame is the sub that (re)subscribes ch: with since/epoch once an epoch is known.
func (ch *channel) subFrame() subFrame {
	frame := subFrame{T: "sub", Channel: ch.name}
	if ch.epoch != "" {
		since := ch.lastSeq
		frame.Since, frame.Epoch = &since, ch.epoch
	}
	return frame
}

// acked records where the channel stands from its sub's ack and answers the report for the
// subscriptions (whether the edge recovered what was missed, and the ack's epoch and seq); when it
// did not recover, gap says what is missing (both are reported only after a resubscribe). A new epoch, or a seq below the last one seen, means the sequence started again:
// everything is new. Unless recovered, nothing at or below the ack's seq will come (live messages
// are above it), so the client stands there; a recovery's missed messages follow the ack, above
// lastSeq. What was delivered before (the retained value too) is not delivered again.
func (ch *channel) acked(f *serverFrame) (report Resubscribed, gap *Gap) {
	ch.active = true
	recovered := ch.asked && f.Recovered != nil && *f.Recovered
	report = Resubscribed{Channel: ch.name, Recovered: recovered, Epoch: f.Epoch}
	if f.Seq != nil {
		report.Seq, report.HasSeq = *f.Seq, true
	}
	after, hadAfter := ch.lastSeq, ch.standing
	restarted := f.Epoch != ch.epoch || (f.Seq != nil && *f.Seq < ch.lastSeq)
	if f.Epoch == "" || restarted {
		ch.epoch, ch.lastSeq, ch.standing = f.Epoch, 0, false
	}
	ch.retainedFloor = ch.lastSeq
	if !recovered && f.Seq != nil && ch.epoch != "" {
		ch.lastSeq, ch.standing = max(ch.lastSeq, *f.Seq), true
	}
	if recovered {
		return report, nil
	}
	gap = &Gap{Channel: ch.name, Reason: GapNotRecovered, AfterSeq: after, HasAfterSeq: hadAfter, EpochChanged: restarted}
	if f.Seq != nil {
		gap.NextSeq, gap.HasNextSeq = *f.Seq+1, true
	}
	return report, gap
}

// accept tells whether m is new to this client (a seq above where it stands, or a retained value
// it has not had) and moves it there; gap is set when a live message's seq skipped some. Without
// an epoch from the edge there is nothing to compare with. The retained value is older than the
// subscription's start: it neither moves the position nor breaks the run.
func (ch *channel) accept(m Message) (deliver bool, gap *Gap) {
	switch {
	case ch.epoch == "":
	case m.Retained:
		return m.Seq > ch.retainedFloor, nil
	case m.Seq <= ch.lastSeq:
		return false, nil
	}
	if m.Retained {
		return true, nil
	}
	after, had := ch.lastSeq, ch.standing
	ch.lastSeq, ch.standing = max(ch.lastSeq, m.Seq), true
	if had && m.Seq > after+1 {
		gap = &Gap{Channel: ch.name, Reason: GapSeqJump, AfterSeq: after, HasAfterSeq: true, NextSeq: m.Seq, HasNextSeq: true}
	}
	return true, gap
}
