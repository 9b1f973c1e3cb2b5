// A Go worker on Nexus: serves "sum" and "status", prints Directs, publishes a tick every second.
//
//	NEXUS_URL=http://127.0.0.1:8787 NEXUS_TOKEN=<jwt> go run ./worker     (from examples/go)
//
// NEXUS_CHANNEL picks the channel ("demo/ticks" by default). Ctrl+C stops it.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
)

type sumArgs struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	token := os.Getenv("NEXUS_TOKEN")
	if token == "" {
		log.Fatal("set NEXUS_TOKEN to a token with app and uid (POST /v1/admin/tokens makes one locally)")
	}
	channel := env("NEXUS_CHANNEL", "demo/ticks")

	nx, err := nexus.Connect(ctx, nexus.Options{
		URL:     env("NEXUS_URL", "http://127.0.0.1:8787"),
		Token:   token,
		Kind:    nexus.KindGoDefault,
		OnState: func(s nexus.State) { log.Printf("[nexus] %s", s) },
		OnError: func(err error) { log.Printf("[nexus] %v", err) },
	})
	if err != nil {
		log.Fatal(err)
	}
	defer nx.Close()

	started := time.Now()
	if _, err := nx.Serve(ctx, "sum", func(_ context.Context, req *nexus.Request) (any, error) {
		var args sumArgs
		if err := req.Decode(&args); err != nil {
			return nil, err // answered as bad_request
		}
		return map[string]float64{"sum": args.A + args.B}, nil
	}); err != nil {
		log.Fatal(err)
	}
	if _, err := nx.Serve(ctx, "status", func(context.Context, *nexus.Request) (any, error) {
		return map[string]any{"jid": nx.JID(), "uptimeSeconds": int(time.Since(started).Seconds())}, nil
	}); err != nil {
		log.Fatal(err)
	}
	nx.OnDirect(func(d nexus.DirectMessage) { log.Printf("direct from %s: %s", d.From.JID, d.Text) })

	log.Printf("worker %s serves \"sum\" and \"status\" and publishes to %q; Ctrl+C stops it", nx.JID(), channel)
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if err := nx.Publish(ctx, channel, fmt.Sprintf("tick %d", n)); err != nil {
				log.Printf("publish: %v", err)
			}
		}
	}
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
