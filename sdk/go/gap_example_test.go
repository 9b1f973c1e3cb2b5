//go:build unix

package nexus_test

import (
	"context"
	"log"

	nexus "github.com/qe/nexus/sdk/go"
)

// A gap says that some messages will never come (the history did not cover a reconnect, or a seq
// jumped): the place to fetch the state afresh instead of trusting the stream.
func ExampleSubscription_OnGap() {
	ctx := context.Background()
	nx := mustConnect(nexus.KindGoDefault)
	defer nx.Close()
	sub, err := nx.Subscribe(ctx, "examples/gaps", func(m nexus.Message) { log.Println(m.Seq, m.Text) })
	if err != nil {
		log.Fatal(err)
	}
	remove := sub.OnGap(func(g nexus.Gap) {
		log.Printf("missed messages after #%d on %s (%s): reload the state", g.AfterSeq, g.Channel, g.Reason)
	})
	defer remove()
}
