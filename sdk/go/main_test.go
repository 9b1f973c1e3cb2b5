//go:build unix

package nexus_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
	"github.com/qe/nexus/sdk/go/nexustest"
)

// stack is the real local stack every test talks to: TestMain starts it and stops it by process group.
var stack *nexustest.Stack

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	s, err := nexustest.Start(ctx, nexustest.Options{})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stack = s
	if err := setupExamples(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		s.Stop()
		os.Exit(1)
	}
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

var appCounter atomic.Int64

// newApp registers a fresh app owned by a fresh uid.
func newApp(t *testing.T) (app, owner string) {
	t.Helper()
	app = fmt.Sprintf("go%d-%s", appCounter.Add(1), randomHex(3))
	owner = "owner" + randomHex(6)
	if err := stack.CreateApp(testContext(t), app, owner); err != nil {
		t.Fatal(err)
	}
	return app, owner
}

func newUID() string { return "u" + randomHex(6) }

func token(t *testing.T, uid, app string, edit ...func(*nexustest.TokenRequest)) string {
	t.Helper()
	req := nexustest.TokenRequest{UID: uid, App: app}
	for _, e := range edit {
		e(&req)
	}
	tok, err := stack.Token(testContext(t), req)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// connect opens a client that the test closes when it ends.
func connect(t *testing.T, tok, kind string, edit ...func(*nexus.Options)) *nexus.Client {
	t.Helper()
	opts := nexus.Options{URL: stack.URL, Token: tok, Kind: kind}
	for _, e := range edit {
		e(&opts)
	}
	c, err := nexus.Connect(testContext(t), opts)
	if err != nil {
		t.Fatalf("connect %s: %v", kind, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testContext bounds one step of a test; a hung step fails instead of hanging the run.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// receive waits for one value from ch, failing the test after 10 s.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10 s", what)
		var zero T
		return zero
	}
}

// requireTokenCarries fails a test of a contract revision 2 token claim that the edge's token
// route did not mint (the claim is missing from the token's payload).
func requireTokenCarries(t *testing.T, tok, claim string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if _, ok := claims[claim]; !ok {
		t.Fatalf("the token route did not mint the %q claim (contract revision 2)", claim)
	}
}

// setupExamples registers the examples' app and mints its owner's token.
func setupExamples() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	edgeURL, app = stack.URL, "examples"
	if err := stack.CreateApp(ctx, app, "exampleowner"); err != nil {
		return err
	}
	tok, err := stack.Token(ctx, nexustest.TokenRequest{UID: "exampleowner", App: app})
	token1 = tok
	return err
}
