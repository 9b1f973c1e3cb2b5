// Package nexus is the Go SDK of Nexus, the real-time communication layer of the QE app platform:
// Go workers and clients as first-class blocks (kind godefault).
//
// A Client is one block. It calls API methods of workers (API, Call), serves methods (Serve),
// sends and receives Directs (Direct, OnDirect), publishes and subscribes to channels (Publish,
// Subscribe, SubscribeChan) and lists online blocks (Find). Every call that waits takes a
// context.Context first; its deadline is the call's timeout.
//
// The client reconnects by itself with full-jitter backoff, to the same resource (its JID survives),
// and restores its served methods and subscriptions, each once, before queued calls go out. Close
// codes 4008 (policy) and 4009 (replaced) are final, as is 4001 (token expired) unless
// Options.TokenFunc can be asked for a new token; everything else (4002 missed keepalive, a lost
// network, an edge restart, 4013 slow consumer) reconnects. Workers and frontends send
// {"t":"ping"} every welcome.limits.pingIntervalMs, and after every MiB read so that the edge's
// slow-consumer bound never closes a client that reads.
//
// Errors are *Error values with the contract's Code and Retryable. Match them with errors.Is and
// a sentinel (ErrTimeout, ErrNoResponders, ...), or take the code with errors.As.
//
// All methods are safe for concurrent use. Handlers never run on the socket's reader: API handlers
// run concurrently, each on its own goroutine; Direct handlers and each subscription's handler run
// one message at a time, in arrival order. A panic in a handler is recovered and reported.
package nexus
