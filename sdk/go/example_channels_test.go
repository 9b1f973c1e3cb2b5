//go:build unix

package nexus_test

import (
	"context"
	"fmt"
	"log"

	nexus "github.com/qe/nexus/sdk/go"
)

// The channel examples: subscriptions, recovery reports, publishing and the last will (the
// client, call and identity examples are in example_test.go).
func ExampleClient_Subscribe() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	got := make(chan nexus.Message, 1)
	sub, err := nx.Subscribe(ctx, "examples/prices", func(m nexus.Message) { got <- m })
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Unsubscribe(ctx)
	if err := nx.Publish(ctx, "examples/prices", "42"); err != nil { // the publisher receives its own message too
		log.Fatal(err)
	}
	m := <-got
	fmt.Println(m.Channel, m.Text, m.Seq > 0, m.Retained)
	// Output: examples/prices 42 true false
}

func ExampleClient_SubscribeChan() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	sub, err := nx.SubscribeChan(ctx, "examples/ticks")
	if err != nil {
		log.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		_ = nx.Publish(ctx, "examples/ticks", fmt.Sprint("tick ", i))
	}
	for m := range sub.Messages() {
		fmt.Println(m.Text)
		if m.Text == "tick 3" {
			_ = sub.Unsubscribe(ctx) // closes sub.Messages()
		}
	}
	// Output:
	// tick 1
	// tick 2
	// tick 3
}

// After each reconnect a subscription tells whether the channel's history covered the outage.
func ExampleSubscription_OnResubscribed() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	sub, err := nx.Subscribe(ctx, "examples/prices", func(m nexus.Message) { fmt.Println(m.Seq, m.Text) })
	if err != nil {
		log.Fatal(err)
	}
	remove := sub.OnResubscribed(func(r nexus.Resubscribed) {
		if !r.Recovered {
			// r.Epoch and r.Seq (HasSeq): where the channel stood when the resubscription took effect.
			log.Printf("gap in %s (now at seq %d): some messages may be missing, reload the state", r.Channel, r.Seq)
		}
	})
	defer remove()
}

func ExampleSubscription_Recovered() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	sub, err := nx.SubscribeChan(ctx, "examples/recovered")
	if err != nil {
		log.Fatal(err)
	}
	recovered, resubscribed := sub.Recovered()
	fmt.Println(recovered, resubscribed) // nothing to report before a reconnect
	// Output: false false
}

func ExampleSubscription_Unsubscribe() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	sub, err := nx.SubscribeChan(ctx, "examples/once")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sub.Channel(), sub.Unsubscribe(ctx))
	<-sub.Done()
	_, open := <-sub.Messages()
	fmt.Println(open)
	// Output:
	// examples/once <nil>
	// false
}

func ExampleClient_Publish() {
	ctx := context.Background()
	device := mustConnect(nexus.KindGoDefault)
	defer device.Close()
	// Retain keeps the value for later subscribers, as MQTT's retained messages.
	if err := device.Publish(ctx, "examples/device42/online", "1", nexus.Retain(), nexus.WithAck()); err != nil {
		log.Fatal(err)
	}
	panel := mustConnect(nexus.KindWebUO)
	defer panel.Close()
	sub, err := panel.SubscribeChan(ctx, "examples/device42/online")
	if err != nil {
		log.Fatal(err)
	}
	m := <-sub.Messages()
	fmt.Println(m.Text, m.Retained)
	// Output: 1 true
}

func ExampleRetain() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	_ = nx.Publish(ctx, "examples/status", "online", nexus.Retain())
	// Retain with "" clears the retained value.
	fmt.Println(nx.Publish(ctx, "examples/status", "", nexus.Retain(), nexus.WithAck()))
	// Output: <nil>
}

func ExampleClient_Find() {
	ctx := context.Background()
	worker := mustConnect(nexus.KindGoDefault)
	defer worker.Close()
	if _, err := worker.Serve(ctx, "sum", sum); err != nil {
		log.Fatal(err)
	}
	blocks, err := worker.Find(ctx, nexus.FindQuery{App: app, Kind: nexus.KindGoDefault})
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range blocks {
		fmt.Println(b.Kind, b.JID == worker.JID(), !b.Since.IsZero())
	}
	// The app's owner may list every block of the app.
	_, err = worker.Find(ctx, nexus.FindQuery{Scope: nexus.ScopeApp})
	fmt.Println(err)
	// Output:
	// godefault true true
	// <nil>
}

func ExampleClient_SetWill() {
	ctx := context.Background()
	panel := mustConnect(nexus.KindWebUO)
	defer panel.Close()
	sub, err := panel.SubscribeChan(ctx, "examples/device7/status")
	if err != nil {
		log.Fatal(err)
	}
	device := mustConnect(nexus.KindGoDefault)
	// Published by the edge if the device's connection dies; declared again after every reconnect.
	if err := device.SetWill(ctx, nexus.Will{Channel: "examples/device7/status", Data: "offline"}); err != nil {
		log.Fatal(err)
	}
	_ = device.Publish(ctx, "examples/device7/status", "online", nexus.WithAck())
	fmt.Println((<-sub.Messages()).Text)
	device.Close() // a clean leave: Close clears the will first, so nothing more is published
	// Output: online
}

func ExampleClient_ClearWill() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	_ = nx.SetWill(ctx, nexus.Will{Channel: "examples/status", Data: "offline", Retain: true})
	// From here on, the connection's end publishes nothing.
	fmt.Println(nx.ClearWill(ctx))
	// Output: <nil>
}
