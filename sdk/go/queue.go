package nexus

import "sync"

// serialQueue runs functions one at a time, in the order pushed, on its own goroutine, so the
// socket's reader never waits for a slow handler and handlers see events in order.
type serialQueue struct {
	mu      sync.Mutex
	items   []func()
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	drain   bool
	stopped bool
}

func newSerialQueue() *serialQueue {
	q := &serialQueue{wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go q.loop()
	return q
}

// push adds f; it is ignored once the queue is stopped.
func (q *serialQueue) push(f func()) {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// close stops the queue: with drain, what was pushed still runs; without, it is dropped
// (a function already running finishes). It does not wait.
func (q *serialQueue) close(drain bool) {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		return
	}
	q.stopped, q.drain = true, drain
	q.mu.Unlock()
	close(q.stop)
}

func (q *serialQueue) loop() {
	defer close(q.done)
	for {
		q.mu.Lock()
		items := q.items
		q.items = nil
		stopped := q.stopped
		q.mu.Unlock()
		for _, f := range items {
			if q.halted() {
				return
			}
			f()
		}
		if q.halted() || (stopped && len(items) == 0) {
			return
		}
		if stopped {
			continue
		}
		select {
		case <-q.wake:
		case <-q.stop:
		}
	}
}

// halted is true once the queue was stopped without draining.
func (q *serialQueue) halted() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.stopped && !q.drain
}
