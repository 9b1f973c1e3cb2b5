//go:build unix

package nexus_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
)

// In a program these come from its configuration; here TestMain sets them from the local stack:
// the edge's URL, the app "examples" and a token of its owner.
var (
	edgeURL string
	app     string
	token1  string
)

// sum is the examples' worker method.
func sum(_ context.Context, req *nexus.Request) (any, error) {
	var in struct{ A, B int }
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	return map[string]int{"sum": in.A + in.B}, nil
}

// mustConnect is Connect for the examples, which end the program on an error.
func mustConnect(kind string) *nexus.Client {
	nx, err := nexus.Connect(context.Background(), nexus.Options{URL: edgeURL, Token: token1, Kind: kind})
	if err != nil {
		log.Fatal(err)
	}
	return nx
}

func ExampleConnect() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nx, err := nexus.Connect(ctx, nexus.Options{
		URL:       edgeURL,
		TokenFunc: func(ctx context.Context) (string, error) { return token1, nil }, // asked on every (re)connect
		Kind:      nexus.KindGoDefault,
		Reconnect: &nexus.Backoff{InitialDelay: 250 * time.Millisecond, MaxDelay: 10 * time.Second},
		OnState:   func(s nexus.State) { log.Println("nexus:", s) },
		OnError:   func(err error) { log.Println("nexus:", err) },
	})
	if errors.Is(err, nexus.ErrUnauthorized) {
		log.Fatal("the token was refused")
	} else if err != nil {
		log.Fatal(err)
	}
	defer nx.Close()
	fmt.Println(nx.State(), nx.Identity().Kind)
	// Output: connected godefault
}

func ExampleClient_Serve() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	svc, err := nx.Serve(ctx, "sum", func(ctx context.Context, req *nexus.Request) (any, error) {
		var in struct{ A, B int }
		if err := req.Decode(&in); err != nil {
			return nil, err // answered as bad_request
		}
		if in.A < 0 {
			return nil, nexus.NewError(nexus.CodeAppError, "no negative numbers") // answered as app_error
		}
		return map[string]int{"sum": in.A + in.B}, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("serving", svc.Method())
	// Output: serving sum
}

func ExampleService_Stop() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	svc, err := nx.Serve(ctx, "sum", sum)
	if err != nil {
		log.Fatal(err)
	}
	if err := svc.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	_, err = nx.API(ctx, app, "sum", nil)
	fmt.Println(errors.Is(err, nexus.ErrNoResponders))
	// Output: true
}

func ExampleService_Method() {
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	svc, err := nx.Serve(context.Background(), "*", func(_ context.Context, req *nexus.Request) (any, error) {
		return req.Method, nil // a "*" handler serves every method
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(svc.Method())
	// Output: *
}

func ExampleClient_API() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // the call's timeout
	defer cancel()
	worker := mustConnect(nexus.KindGoDefault)
	defer worker.Close()
	if _, err := worker.Serve(ctx, "sum", sum); err != nil {
		log.Fatal(err)
	}
	nx := mustConnect(nexus.KindWebUO)
	defer nx.Close()

	reply, err := nx.API(ctx, app, "sum", map[string]int{"A": 1, "B": 2})
	var e *nexus.Error
	switch {
	case errors.Is(err, nexus.ErrNoResponders):
		log.Fatal("no worker online")
	case errors.As(err, &e):
		log.Fatalf("%s (retryable: %v)", e.Code, e.Retryable)
	}
	var out struct{ Sum int }
	if err := reply.Decode(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Sum, reply.From.JID == worker.JID())
	// Output: 3 true
}

func ExampleCall() {
	ctx := context.Background()
	worker := mustConnect(nexus.KindGoDefault)
	defer worker.Close()
	if _, err := worker.Serve(ctx, "sum", sum); err != nil {
		log.Fatal(err)
	}
	out, err := nexus.Call[struct{ Sum int }](ctx, worker, app, "sum", map[string]int{"A": 20, "B": 22})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Sum)
	// Output: 42
}

func ExampleWithResource() {
	ctx := context.Background()
	worker := mustConnect(nexus.KindGoDefault)
	defer worker.Close()
	if _, err := worker.Serve(ctx, "sum", sum); err != nil {
		log.Fatal(err)
	}
	// One exact worker instead of round-robin; WithUID(uid) would name a user-role worker's uid.
	reply, err := worker.API(ctx, app, "sum", map[string]int{"A": 1}, nexus.WithResource(worker.Identity().Resource))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(reply.Data))
	// Output: {"sum":1}
}

func ExampleWithUID() {
	ctx := context.Background()
	worker := mustConnect(nexus.KindGoDefault)
	defer worker.Close()
	if _, err := worker.Serve(ctx, "sum", sum); err != nil {
		log.Fatal(err)
	}
	// The owner's uid names the owner's workers; another uid names that user's workers.
	out, err := nexus.Call[map[string]int](ctx, worker, app, "sum", map[string]int{"B": 5}, nexus.WithUID(worker.Identity().UID))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out["sum"])
	// Output: 5
}

func ExampleRequest_Decode() {
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	_, err := nx.Serve(context.Background(), "greet", func(_ context.Context, req *nexus.Request) (any, error) {
		var in struct{ Name string }
		if err := req.Decode(&in); err != nil {
			return nil, err // a bad_request *nexus.Error
		}
		return "hello " + in.Name + " from " + req.From.Kind, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	out, err := nexus.Call[string](context.Background(), nx, app, "greet", map[string]string{"Name": "Ada"})
	fmt.Println(out, err)
	_, err = nx.API(context.Background(), app, "greet", 42)
	fmt.Println(errors.Is(err, nexus.ErrBadRequest))
	// Output:
	// hello Ada from godefault <nil>
	// true
}

func ExampleReply_Decode() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	if _, err := nx.Serve(ctx, "sum", sum); err != nil {
		log.Fatal(err)
	}
	reply, err := nx.API(ctx, app, "sum", map[string]int{"A": 2, "B": 2})
	if err != nil {
		log.Fatal(err)
	}
	var out struct {
		Sum int `json:"sum"`
	}
	fmt.Println(reply.Decode(&out), out.Sum)
	// Output: <nil> 4
}

func ExampleClient_OnDirect() {
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	got := make(chan nexus.DirectMessage, 1)
	remove := nx.OnDirect(func(d nexus.DirectMessage) { got <- d })
	defer remove()
	if err := nx.Direct(context.Background(), app, nx.Identity().Resource, "reboot", nexus.WithAck()); err != nil {
		log.Fatal(err)
	}
	d := <-got
	fmt.Println(d.Text, d.From.JID == nx.JID())
	// Output: reboot true
}

func ExampleClient_Direct() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindWebUO)
	defer nx.Close()
	err := nx.Direct(ctx, app, "godefaultNobodyHere", "reboot", nexus.WithAck())
	fmt.Println(errors.Is(err, nexus.ErrOffline))
	// Without WithAck, Direct returns once the frame is written.
	fmt.Println(nx.Direct(ctx, app, "godefaultNobodyHere", "reboot"))
	// Output:
	// true
	// <nil>
}

func ExampleWithAck() {
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	// The server's ack: the message is published (or its error: forbidden, too_large, rate_limited).
	fmt.Println(nx.Publish(context.Background(), "examples/acked", "1", nexus.WithAck()))
	// Output: <nil>
}

func ExampleClient_Close() {
	nx := mustConnect(nexus.KindGoDefault)
	fmt.Println(nx.Close(), nx.State())
	_, err := nx.API(context.Background(), app, "sum", nil)
	var e *nexus.Error
	fmt.Println(errors.As(err, &e), e.Code, e.Retryable)
	// Output:
	// <nil> closed
	// true disconnected false
}

func ExampleClient_State() {
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	fmt.Println(nx.State())
	// Output: connected
}

func ExampleClient_JID() {
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	jid, ok := nexus.ParseJID(nx.JID())
	fmt.Println(ok, jid.App, jid.Kind, jid.Domain)
	// Output: true examples godefault qepal.com
}

func ExampleClient_Identity() {
	nx := mustConnect(nexus.KindWebUO)
	defer nx.Close()
	id := nx.Identity()
	fmt.Println(id.App, id.Role, id.Kind)
	// Output: examples owner webuo
}

func ExampleClient_Limits() {
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	fmt.Println(nx.Limits().MaxFrameBytes, nx.Limits().APITimeoutMs)
	// Output: 262144 30000
}

func ExampleError() {
	nx := mustConnect(nexus.KindWebUO)
	defer nx.Close()
	_, err := nx.API(context.Background(), app, "nobody-serves-this", nil)
	var e *nexus.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Retryable)
	}
	fmt.Println(errors.Is(err, nexus.ErrNoResponders), errors.Is(err, nexus.ErrTimeout))
	// Output:
	// no_responders true
	// true false
}

func ExampleError_Is() {
	err := fmt.Errorf("checkout: %w", nexus.NewError(nexus.CodeTimeout, "no answer within 5000 ms"))
	fmt.Println(errors.Is(err, nexus.ErrTimeout), errors.Is(err, nexus.ErrOffline))
	// Output: true false
}

func ExampleError_Error() {
	fmt.Println(nexus.NewError(nexus.CodeForbidden, "no grant on etest"))
	// Output: nexus: forbidden: no grant on etest
}

func ExampleError_Unwrap() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	nx := mustConnect(nexus.KindWebUO)
	defer nx.Close()
	_, err := nx.API(ctx, app, "sum", nil)
	fmt.Println(errors.Is(err, nexus.ErrTimeout), errors.Is(err, context.DeadlineExceeded))
	// Output: true true
}

func ExampleNewError() {
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	_, err := nx.Serve(context.Background(), "reserve", func(context.Context, *nexus.Request) (any, error) {
		return nil, nexus.NewError(nexus.CodeAppError, "sold out")
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = nx.API(context.Background(), app, "reserve", nil)
	fmt.Println(err)
	// Output: nexus: app_error: sold out
}

func ExampleCode_Retryable() {
	fmt.Println(nexus.CodeTimeout.Retryable(), nexus.CodeForbidden.Retryable(), nexus.CodeQuotaExceeded.Retryable())
	// Output: true false false
}

func ExampleState_String() {
	fmt.Println(nexus.StateConnecting, nexus.StateConnected, nexus.StateDisconnected, nexus.StateClosed)
	// Output: connecting connected disconnected closed
}

func ExampleParseJID() {
	jid, ok := nexus.ParseJID("my-app-682ebf741c055d80a4f15f8b-owner@qepal.com/godefault7Hx")
	fmt.Println(ok, jid.App, jid.UID, jid.Role, jid.Kind, jid.Suffix)
	// Output: true my-app 682ebf741c055d80a4f15f8b owner godefault 7Hx
}

func ExampleJID_String() {
	jid := nexus.JID{App: "etest", UID: "u1", Role: "user", Domain: "qepal.com", Resource: "webuo1"}
	fmt.Println(jid)
	// Output: etest-u1-user@qepal.com/webuo1
}

func ExampleParseResource() {
	kind, suffix, ok := nexus.ParseResource("xdefault7Hx") // the longest kind wins over "default"
	fmt.Println(kind, suffix, ok)
	// Output: xdefault 7Hx true
}

func ExampleIsWorkerKind() {
	fmt.Println(nexus.IsWorkerKind(nexus.KindGoDefault), nexus.IsWorkerKind(nexus.KindWebUO))
	// Output: true false
}

func ExampleBackoff() {
	// The n-th delay is uniform in [0, min(MaxDelay, InitialDelay*Factor^n)).
	opts := nexus.Options{
		URL: edgeURL, Token: token1, Kind: nexus.KindGoDefault,
		Reconnect: &nexus.Backoff{InitialDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second, Factor: 2},
	}
	nx, err := nexus.Connect(context.Background(), opts)
	if err != nil {
		log.Fatal(err)
	}
	defer nx.Close()
	fmt.Println(nx.State())
	// Output: connected
}
