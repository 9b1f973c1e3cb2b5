package nexus

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The conformance vectors shared by every Nexus SDK (test/vectors/README.md).

func readVectors(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "test", "vectors", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// sameJSON compares two JSON texts as values.
func sameJSON(t *testing.T, what string, got []byte, want json.RawMessage) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %s is not JSON: %v", what, got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got  %s\n want %s", what, got, want)
	}
}

// newOfflineClient is a client with a socket that is never dialed: frames go in through dispatch
// and what the client writes stays in the socket's queue.
func newOfflineClient(onError func(error)) (*Client, *socket) {
	life, cancel := context.WithCancel(context.Background())
	c := &Client{
		opts: Options{OnError: onError}.withDefaults(), ctx: life, cancel: cancel,
		events: newSerialQueue(), directQ: newSerialQueue(), done: make(chan struct{}),
		state: StateConnected, limits: defaultLimits, pending: map[string]*pending{},
		served: servedMethods{handlers: map[string]*serviceEntry{}}, channels: map[string]*channel{},
	}
	sock := newSocket(life, nil)
	c.sock = sock
	return c, sock
}

// await registers a request with a given id on sock and returns where its answer arrives.
func (c *Client) awaitID(sock *socket, id string, onAck func(*serverFrame)) chan answer {
	result := make(chan answer, 1)
	p := &pending{id: id, what: "vector", expect: true, sent: true, sock: sock, onAck: onAck, done: make(chan struct{})}
	p.settle = func(a answer) { result <- a }
	c.mu.Lock()
	c.pending[id] = p
	c.mu.Unlock()
	return result
}
