//go:build unix

package nexustest_test

import (
	"context"
	"log"
	"testing"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
	"github.com/qe/nexus/sdk/go/nexustest"
)

// A TestMain that gives every test of a package one real local stack. (Not run here: it needs a
// Nexus checkout; the SDK's own tests run it.)
func ExampleStart() {
	var m *testing.M // the TestMain argument
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stack, err := nexustest.Start(ctx, nexustest.Options{}) // finds the checkout above the working directory
	if err != nil {
		log.Fatal(err)
	}
	defer stack.Stop() // the whole process group, even when a test failed
	if err := stack.CreateApp(ctx, "etest", "u1"); err != nil {
		log.Fatal(err)
	}
	token, err := stack.Token(ctx, nexustest.TokenRequest{UID: "u1", App: "etest", TTLSeconds: 3600})
	if err != nil {
		log.Fatal(err)
	}
	nx, err := nexus.Connect(ctx, nexus.Options{URL: stack.URL, Token: token, Kind: nexus.KindGoDefault})
	if err != nil {
		log.Fatal(err)
	}
	defer nx.Close()
	_ = m // m.Run() here
}

// An edge restart under connected clients: same port, data and secrets; every socket drops.
func ExampleStack_Restart() {
	var stack *nexustest.Stack // from Start
	if err := stack.Restart(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// A TypeScript SDK client driven from Go: one JSON command per call.
func ExampleStack_StartTSPeer() {
	var stack *nexustest.Stack // from Start
	ctx := context.Background()
	peer, err := stack.StartTSPeer(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer peer.Close()
	if _, err := peer.Do(ctx, map[string]any{"op": "connect", "url": stack.URL, "token": "<jwt>", "kind": "webuo"}); err != nil {
		log.Fatal(err)
	}
	res, err := peer.Do(ctx, map[string]any{"op": "api", "app": "etest", "method": "sum", "data": map[string]int{"a": 1, "b": 2}})
	log.Println(res["data"], err)
}
