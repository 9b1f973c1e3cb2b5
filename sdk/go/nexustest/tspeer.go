//go:build unix

package nexustest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// TSPeer is a TypeScript SDK client (@qe/nexus-sdk) in a Node process, driven by JSON commands:
// sdk/go/testdata/ts-peer.ts of the checkout. It lets Go tests and benches talk to the TypeScript SDK.
type TSPeer struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	events chan map[string]any
	exited chan struct{}

	mu      sync.Mutex
	next    int
	waiters map[int]chan map[string]any
}

// PeerError is a failed command: the TypeScript SDK's error code, message and retryable flag.
type PeerError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable"`
}

func (e *PeerError) Error() string { return "ts peer: " + e.Code + ": " + e.Message }

// StartTSPeer starts the peer (node --import tsx, with the SDK's source) in the checkout.
func (s *Stack) StartTSPeer(ctx context.Context) (*TSPeer, error) {
	script := filepath.Join(s.opts.Dir, "sdk", "go", "testdata", "ts-peer.ts")
	cmd := exec.Command("node", "--import", "tsx", "--conditions=source", script)
	cmd.Dir = s.opts.Dir
	cmd.SysProcAttr = processGroup()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	out := &tail{}
	cmd.Stderr = writerFunc(func(b []byte) { out.add(string(b)) })
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &TSPeer{cmd: cmd, stdin: stdin, events: make(chan map[string]any, 1024), exited: make(chan struct{}), waiters: map[int]chan map[string]any{}}
	ready := make(chan struct{})
	go p.read(stdout, ready)
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	select {
	case <-ready:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("nexustest: ts peer exited: %s", out.String())
	case <-ctx.Done():
		p.Close()
		return nil, fmt.Errorf("nexustest: ts peer not ready: %w", ctx.Err())
	}
}

func (p *TSPeer) read(r io.Reader, ready chan struct{}) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 4<<20)
	for scanner.Scan() {
		var msg map[string]any
		if json.Unmarshal(scanner.Bytes(), &msg) != nil {
			continue
		}
		if ev, ok := msg["event"].(string); ok {
			if ev == "ready" {
				close(ready)
				continue
			}
			p.events <- msg
			continue
		}
		n, _ := msg["n"].(float64)
		p.mu.Lock()
		w := p.waiters[int(n)]
		delete(p.waiters, int(n))
		p.mu.Unlock()
		if w != nil {
			w <- msg
		}
	}
}

// Do runs one command ({"op":"api","app":...}) and returns its answer, or a *PeerError.
func (p *TSPeer) Do(ctx context.Context, cmd map[string]any) (map[string]any, error) {
	p.mu.Lock()
	p.next++
	n := p.next
	w := make(chan map[string]any, 1)
	p.waiters[n] = w
	p.mu.Unlock()
	msg := map[string]any{"n": n}
	for k, v := range cmd {
		msg[k] = v
	}
	line, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		return nil, err
	}
	select {
	case res := <-w:
		if ok, _ := res["ok"].(bool); !ok {
			b, _ := json.Marshal(res["error"])
			e := &PeerError{}
			_ = json.Unmarshal(b, e)
			return res, e
		}
		return res, nil
	case <-p.exited:
		return nil, errors.New("nexustest: ts peer exited")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Events are what the peer reports unasked: {"event":"direct",...}, {"event":"msg",...}.
func (p *TSPeer) Events() <-chan map[string]any { return p.events }

// Close ends the peer: its SDK client closes when stdin does; the process group is killed if it lingers.
func (p *TSPeer) Close() {
	_ = p.stdin.Close()
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(b []byte) (int, error) {
	f(b)
	return len(b), nil
}
