package nexus

import "time"

// resubscribeRetry is how a resubscribe the edge refused for now waits before it tries again:
// 0.5 s doubling to 5 s, full jitter (as the TypeScript SDK).
var resubscribeRetry = Backoff{InitialDelay: 500 * time.Millisecond, MaxDelay: 5 * time.Second}

// resubscribeRetryState is the next try of a refused resubscribe and how long the tries wait.
type resubscribeRetryState struct {
	backoff *backoffState
	timer   *time.Timer
}

// retryLaterLocked tries ch's resubscribe again after the next backoff delay, on the same socket:
// the edge refused it for now (it paces joins of channels new to the app, and after a reconnect
// with many subscriptions some get rate_limited). The sub carries since/epoch as before, so what
// was published meanwhile is recovered. A drop, the last unsubscribe and Close stop the timer
// (stopRetryLocked). Lock held.
func (c *Client) retryLaterLocked(ch *channel) {
	if ch.retry == nil {
		ch.retry = &resubscribeRetryState{backoff: newBackoffState(resubscribeRetry)}
	}
	r := ch.retry
	var t *time.Timer
	t = time.AfterFunc(r.backoff.next(), func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if ch.retry != r || r.timer != t {
			return // stopped, or superseded, after the timer had fired
		}
		r.timer = nil
		if c.channels[ch.name] == ch && !ch.active && ch.inflight == nil && c.sock != nil {
			c.sendSubLocked(ch)
		}
	})
	r.timer = t
}

// stopRetryLocked cancels ch's pending retry, if any, and forgets its backoff. Lock held.
func (ch *channel) stopRetryLocked() {
	if ch.retry != nil && ch.retry.timer != nil {
		ch.retry.timer.Stop()
	}
	ch.retry = nil
}

// pauseRetryLocked cancels ch's pending retry, keeping its backoff: a sub goes out now. Lock held.
func (ch *channel) pauseRetryLocked() {
	if ch.retry != nil && ch.retry.timer != nil {
		ch.retry.timer.Stop()
		ch.retry.timer = nil
	}
}
