// A Go SDK client for the fault tests (test/faults/support/fault-client.ts): serves FAULT_METHOD,
// subscribes FAULT_CHANNEL, prints what happens as JSON lines and publishes what stdin asks for.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"sync"

	nexus "github.com/qe/nexus/sdk/go"
)

var outMu sync.Mutex

func out(event map[string]any) {
	line, _ := json.Marshal(event)
	outMu.Lock()
	defer outMu.Unlock()
	os.Stdout.Write(append(line, '\n'))
}

func main() {
	ctx := context.Background()
	kind := os.Getenv("FAULT_KIND")
	if kind == "" {
		kind = nexus.KindGoDefault
	}
	nx, err := nexus.Connect(ctx, nexus.Options{
		URL:     os.Getenv("NEXUS_URL"),
		Token:   os.Getenv("NEXUS_TOKEN"),
		Kind:    kind,
		OnState: func(s nexus.State) { out(map[string]any{"event": "state", "state": s.String()}) },
	})
	if err != nil {
		out(map[string]any{"event": "fatal", "error": err.Error()})
		os.Exit(1)
	}
	if method := os.Getenv("FAULT_METHOD"); method != "" {
		_, err := nx.Serve(ctx, method, func(ctx context.Context, req *nexus.Request) (any, error) {
			var data any
			if err := req.Decode(&data); err != nil {
				return nil, err
			}
			if data != "hang" {
				return map[string]any{"by": "go", "data": data}, nil
			}
			out(map[string]any{"event": "call"})
			<-ctx.Done() // never answered: the test kills this process mid-call
			return nil, ctx.Err()
		})
		if err != nil {
			out(map[string]any{"event": "fatal", "error": err.Error()})
			os.Exit(1)
		}
	}
	if channel := os.Getenv("FAULT_CHANNEL"); channel != "" {
		sub, err := nx.Subscribe(ctx, channel, func(m nexus.Message) {
			out(map[string]any{"event": "msg", "seq": m.Seq, "text": m.Text, "retained": m.Retained})
		})
		if err != nil {
			out(map[string]any{"event": "fatal", "error": err.Error()})
			os.Exit(1)
		}
		sub.OnResubscribed(func(r nexus.Resubscribed) { out(map[string]any{"event": "resubscribed", "recovered": r.Recovered}) })
	}
	out(map[string]any{"event": "ready", "jid": nx.JID(), "resource": nx.Identity().Resource})

	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		var command struct{ Cmd, Channel, Text string }
		if err := json.Unmarshal(lines.Bytes(), &command); err != nil {
			continue
		}
		if command.Cmd == "exit" {
			break
		}
		if command.Cmd == "publish" {
			if err := nx.Publish(ctx, command.Channel, command.Text, nexus.WithAck()); err != nil {
				var ne *nexus.Error
				code := err.Error()
				if errors.As(err, &ne) {
					code = string(ne.Code)
				}
				out(map[string]any{"event": "publish_failed", "text": command.Text, "code": code})
			} else {
				out(map[string]any{"event": "published", "text": command.Text})
			}
		}
	}
	_ = nx.Close()
}
