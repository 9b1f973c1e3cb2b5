package nexus

import (
	"math/rand/v2"
	"time"
)

// Backoff is exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
// And Jitter"): the n-th delay is uniform in [0, min(MaxDelay, InitialDelay*Factor^n)). Full
// jitter spreads the reconnects of many clients after an edge restart instead of bunching them.
// The defaults (500 ms doubling to 2 s, as NATS's 2 s reconnect wait) bring a client back within
// 2 s of the edge however long the outage was, while a herd of N clients arrives at about N/2 per
// second.
// Zero fields take their defaults.
type Backoff struct {
	// InitialDelay is the upper bound of the first delay (default 500 ms).
	InitialDelay time.Duration
	// MaxDelay caps every delay (default 2 s).
	MaxDelay time.Duration
	// Factor is the growth of the bound per failed attempt (default 2).
	Factor float64
	// Random returns a number in [0, 1); injectable so tests are exact (default math/rand/v2).
	Random func() float64
}

// backoffState counts failed attempts of one client.
type backoffState struct {
	cfg     Backoff
	attempt int
}

func newBackoffState(b Backoff) *backoffState {
	if b.InitialDelay <= 0 {
		b.InitialDelay = 500 * time.Millisecond
	}
	if b.MaxDelay <= 0 {
		b.MaxDelay = 2 * time.Second
	}
	if b.Factor < 1 {
		b.Factor = 2
	}
	if b.Random == nil {
		b.Random = rand.Float64
	}
	return &backoffState{cfg: b}
}

// ceiling is the upper bound of the next delay.
func (s *backoffState) ceiling() time.Duration {
	bound := float64(s.cfg.InitialDelay)
	for i := 0; i < s.attempt && bound < float64(s.cfg.MaxDelay); i++ {
		bound *= s.cfg.Factor
	}
	return time.Duration(min(bound, float64(s.cfg.MaxDelay)))
}

// next returns the next delay and counts one failed attempt.
func (s *backoffState) next() time.Duration {
	c := s.ceiling()
	// Stop growing once capped, so a long outage cannot overflow.
	if c < s.cfg.MaxDelay {
		s.attempt++
	}
	return time.Duration(s.cfg.Random() * float64(c))
}

func (s *backoffState) reset() { s.attempt = 0 }
