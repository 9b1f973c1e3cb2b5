// A Go client of Nexus: finds its online blocks, calls "sum" on a worker of the app, and prints
// three messages of a channel.
//
//	NEXUS_URL=http://127.0.0.1:8787 NEXUS_TOKEN=<jwt> NEXUS_APP=etest go run ./client   (from examples/go)
//
// Run the worker example first (or any worker serving "sum"), with a token of the app's owner.
package main

import (
	"context"
	"errors"
	"log"
	"os"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	token := os.Getenv("NEXUS_TOKEN")
	if token == "" {
		log.Fatal("set NEXUS_TOKEN to a token with app and uid (POST /v1/admin/tokens makes one locally)")
	}
	app := env("NEXUS_APP", "etest")
	channel := env("NEXUS_CHANNEL", "demo/ticks")

	nx, err := nexus.Connect(ctx, nexus.Options{URL: env("NEXUS_URL", "http://127.0.0.1:8787"), Token: token, Kind: nexus.KindGoDefault})
	if err != nil {
		log.Fatal(err)
	}
	defer nx.Close()

	blocks, err := nx.Find(ctx, nexus.FindQuery{App: app})
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range blocks {
		log.Printf("online: %s (%s) since %s, serves %v", b.JID, b.Kind, b.Since.Format(time.TimeOnly), b.Methods)
	}

	type sum struct {
		Sum float64 `json:"sum"`
	}
	got, err := nexus.Call[sum](ctx, nx, app, "sum", map[string]float64{"a": 1, "b": 2})
	switch {
	case errors.Is(err, nexus.ErrNoResponders):
		log.Printf("no worker of %s serves \"sum\": start the worker example", app)
	case err != nil:
		log.Fatal(err)
	default:
		log.Printf("sum(1, 2) = %v", got.Sum)
	}

	sub, err := nx.SubscribeChan(ctx, channel)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("waiting for 3 messages on %q", channel)
	for i := 0; i < 3; i++ {
		select {
		case m := <-sub.Messages():
			log.Printf("%s #%d from %s: %s", m.Channel, m.Seq, m.From.JID, m.Text)
		case <-ctx.Done():
			log.Fatal("no message in time: is a worker publishing?")
		}
	}
	if err := sub.Unsubscribe(ctx); err != nil {
		log.Fatal(err)
	}
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
