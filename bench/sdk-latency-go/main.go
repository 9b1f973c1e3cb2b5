// Command sdk-latency-go measures, in one run against one fresh local stack, the Go SDK's and the
// TypeScript SDK's API round trip (caller -> edge -> worker -> edge -> caller, one call in flight)
// and publish-to-delivery (a client's publish until its own subscription receives it), p50 and p99,
// in alternating rounds so both see the same machine load. It also times a TypeScript caller of a
// Go worker.
//
//	go run . [-n 300] [-rounds 3] [-json]      (from bench/sdk-latency-go)
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
	"github.com/qe/nexus/sdk/go/nexustest"
)

type result struct {
	Name    string  `json:"name"`
	P50Ms   float64 `json:"p50Ms"`
	P99Ms   float64 `json:"p99Ms"`
	Samples int     `json:"samples"`
}

func main() {
	n := flag.Int("n", 300, "measured samples per round and figure")
	rounds := flag.Int("rounds", 3, "rounds, alternating Go and TypeScript")
	warmup := flag.Int("warmup", 50, "unmeasured samples before each round")
	asJSON := flag.Bool("json", false, "print JSON instead of a table")
	flag.Parse()
	ctx := context.Background()

	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		log.Fatal(err)
	}
	stack, err := nexustest.Start(ctx, nexustest.Options{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer stack.Stop()
	b := &bench{ctx: ctx, stack: stack, app: "latency", owner: "benchowner", n: *n, warmup: *warmup}
	if err := b.setup(); err != nil {
		stack.Stop()
		log.Fatal(err)
	}
	defer b.close()

	samples := map[string][]float64{}
	for r := 0; r < *rounds; r++ {
		for _, m := range b.measures() {
			s, err := m.run()
			if err != nil {
				b.close()
				stack.Stop()
				log.Fatalf("%s: %v", m.name, err)
			}
			samples[m.name] = append(samples[m.name], s...)
		}
	}
	var results []result
	for _, m := range b.measures() {
		s := samples[m.name]
		results = append(results, result{Name: m.name, P50Ms: quantile(s, 0.5), P99Ms: quantile(s, 0.99), Samples: len(s)})
	}
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(results)
		return
	}
	fmt.Printf("%-48s %9s %9s %8s\n", "figure (same run, one stack)", "p50 ms", "p99 ms", "samples")
	for _, r := range results {
		fmt.Printf("%-48s %9.2f %9.2f %8d\n", r.Name, r.P50Ms, r.P99Ms, r.Samples)
	}
}

type measure struct {
	name string
	run  func() ([]float64, error)
}

type bench struct {
	ctx              context.Context
	stack            *nexustest.Stack
	app, owner       string
	n, warmup        int
	goWorker, goUser *nexus.Client
	tsWorker, tsUser *nexustest.TSPeer
	tsWorkerResource string
}

func (b *bench) setup() error {
	ctx := b.ctx
	if err := b.stack.CreateApp(ctx, b.app, b.owner); err != nil {
		return err
	}
	token, err := b.stack.Token(ctx, nexustest.TokenRequest{UID: b.owner, App: b.app})
	if err != nil {
		return err
	}
	connect := func(kind string) (*nexus.Client, error) {
		return nexus.Connect(ctx, nexus.Options{URL: b.stack.URL, Token: token, Kind: kind})
	}
	if b.goWorker, err = connect(nexus.KindGoDefault); err != nil {
		return err
	}
	if _, err := b.goWorker.Serve(ctx, "echo", func(_ context.Context, req *nexus.Request) (any, error) {
		return map[string]any{"echo": req.Data, "from": req.From.JID, "by": b.goWorker.JID()}, nil
	}); err != nil {
		return err
	}
	if b.goUser, err = connect(nexus.KindWebUO); err != nil {
		return err
	}
	peer := func(kind string) (*nexustest.TSPeer, map[string]any, error) {
		p, err := b.stack.StartTSPeer(ctx)
		if err != nil {
			return nil, nil, err
		}
		res, err := p.Do(ctx, map[string]any{"op": "connect", "url": b.stack.URL, "token": token, "kind": kind})
		return p, res, err
	}
	var hello map[string]any
	if b.tsWorker, hello, err = peer(nexus.KindDefault); err != nil {
		return err
	}
	b.tsWorkerResource, _ = hello["resource"].(string)
	if _, err := b.tsWorker.Do(ctx, map[string]any{"op": "serve", "method": "echo"}); err != nil {
		return err
	}
	b.tsUser, _, err = peer(nexus.KindWebUO)
	return err
}

func (b *bench) close() {
	for _, p := range []*nexustest.TSPeer{b.tsWorker, b.tsUser} {
		if p != nil {
			p.Close()
		}
	}
	for _, c := range []*nexus.Client{b.goWorker, b.goUser} {
		if c != nil {
			c.Close()
		}
	}
}

func (b *bench) measures() []measure {
	return []measure{
		{"API round trip, Go caller -> Go worker", b.goAPI},
		{"API round trip, TypeScript caller -> TS worker", func() ([]float64, error) { return b.tsBench("bench-api", b.tsWorkerResource) }},
		{"API round trip, TypeScript caller -> Go worker", func() ([]float64, error) {
			return b.tsBench("bench-api", b.goWorker.Identity().Resource)
		}},
		{"publish-to-delivery, Go", b.goPublish},
		{"publish-to-delivery, TypeScript", func() ([]float64, error) { return b.tsBench("bench-pub", "") }},
	}
}

func (b *bench) goAPI() ([]float64, error) {
	var samples []float64
	target := nexus.WithResource(b.goWorker.Identity().Resource)
	for i := 0; i < b.warmup+b.n; i++ {
		start := time.Now()
		if _, err := b.goUser.API(b.ctx, b.app, "echo", map[string]int{"i": i}, target); err != nil {
			return nil, err
		}
		if i >= b.warmup {
			samples = append(samples, ms(time.Since(start)))
		}
	}
	return samples, nil
}

func (b *bench) goPublish() ([]float64, error) {
	delivered := make(chan struct{}, 1)
	sub, err := b.goUser.Subscribe(b.ctx, "bench/go", func(nexus.Message) { delivered <- struct{}{} })
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe(b.ctx)
	var samples []float64
	for i := 0; i < b.warmup+b.n; i++ {
		start := time.Now()
		if err := b.goUser.Publish(b.ctx, "bench/go", fmt.Sprint(i)); err != nil {
			return nil, err
		}
		<-delivered
		if i >= b.warmup {
			samples = append(samples, ms(time.Since(start)))
		}
	}
	return samples, nil
}

// tsBench runs a measurement inside the TypeScript peer, timed there with performance.now().
func (b *bench) tsBench(op, resource string) ([]float64, error) {
	cmd := map[string]any{"op": op, "app": b.app, "method": "echo", "channel": "bench/ts", "warmup": b.warmup, "count": b.n, "samples": true}
	if resource != "" {
		cmd["resource"] = resource
	}
	res, err := b.tsUser.Do(b.ctx, cmd)
	if err != nil {
		return nil, err
	}
	raw, _ := res["samplesMs"].([]any)
	samples := make([]float64, 0, len(raw))
	for _, v := range raw {
		f, _ := v.(float64)
		samples = append(samples, f)
	}
	return samples, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func quantile(samples []float64, q float64) float64 {
	if len(samples) == 0 {
		return 0
	}
	s := append([]float64(nil), samples...)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1))]
}
