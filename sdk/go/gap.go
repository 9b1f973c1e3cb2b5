package nexus

// GapReason says why a subscription missed messages.
type GapReason string

const (
	// GapNotRecovered: a resubscribe after a reconnect did not recover (the edge answered
	// recovered:false): the channel's history no longer held what was published meanwhile, or the
	// channel started a new epoch. The retained value, if any, follows.
	GapNotRecovered GapReason = "not_recovered"
	// GapSeqJump: a live message's seq skipped some: a delivery lost while connected, or the numbers
	// of messages an edge crash never stored (the channel goes on past them, once).
	GapSeqJump GapReason = "seq_jump"
)

// Gap reports messages a subscription did not get, as the TypeScript SDK's "gap" event does. It
// comes before the first message after the gap; after a resubscribe that did not recover, right
// after the Resubscribed report. On a gap, fetch the state afresh rather than trust the stream.
//
// AfterSeq is the last seq the client had before the gap (the last one delivered, or the seq of
// the ack it stood at); HasAfterSeq is false when it had none. NextSeq is the first seq after the
// gap: the message's own seq for GapSeqJump, the ack's seq + 1 for GapNotRecovered; HasNextSeq is
// false when the edge told no seq. EpochChanged: the channel's sequence started again, so seqs
// before and after the gap do not compare.
type Gap struct {
	Channel      string
	Reason       GapReason
	AfterSeq     int64
	HasAfterSeq  bool
	NextSeq      int64
	HasNextSeq   bool
	EpochChanged bool
}
