//go:build unix

// Package nexustest starts a real local Nexus stack (npm start of a Nexus checkout) for tests of
// Go workers and clients, on free loopback ports, and stops it by process group.
package nexustest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options configure Start. The zero value finds the checkout from the working directory.
type Options struct {
	// Dir is the Nexus checkout (the directory of its package.json); default: the nearest one
	// above the working directory.
	Dir string
	// DataDir keeps the edge's storage; default: a temporary directory removed by Stop.
	DataDir string
	// Port is the edge's port; 0 picks a free one.
	Port int
	// Log receives the stack's output as it comes (default: kept only for Output).
	Log io.Writer
	// StartTimeout bounds one start (default 90 s).
	StartTimeout time.Duration
	// Vars are extra NEXUS_ variables for the edge (limits such as NEXUS_NEW_CHANNELS_PER_SEC),
	// over the environment's.
	Vars map[string]string
}

// Stack is a running local stack.
type Stack struct {
	// URL is the edge's base URL, http://127.0.0.1:<port>.
	URL string
	// Port is the edge's port; Restart keeps it.
	Port int
	// AdminKey is the registry's admin key.
	AdminKey string
	// JWTSecret is the HS256 token secret.
	JWTSecret string

	opts    Options
	tmpData bool
	cmd     *exec.Cmd
	exited  chan struct{}
	out     *tail
}

var consoleLine = regexp.MustCompile(`^\s+console\s+(http://[^\s/]+)/?\s*$`)

// Start runs npm start with a random admin key and JWT secret and returns once the edge answers.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	if opts.Dir == "" {
		dir, err := findCheckout()
		if err != nil {
			return nil, err
		}
		opts.Dir = dir
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 90 * time.Second
	}
	s := &Stack{opts: opts, AdminKey: randomHex(16), JWTSecret: randomHex(32), out: &tail{}}
	if s.opts.DataDir == "" {
		dir, err := os.MkdirTemp("", "nexus-data-")
		if err != nil {
			return nil, err
		}
		s.opts.DataDir, s.tmpData = dir, true
	}
	if err := s.start(ctx, opts.Port); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Stack) start(ctx context.Context, port int) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
	defer cancel()
	cmd := exec.Command("npm", "start")
	cmd.Dir = s.opts.Dir
	cmd.Env = append(os.Environ(),
		"NEXUS_HOST=127.0.0.1",
		"NEXUS_PORT="+strconv.Itoa(port),
		"NEXUS_MQTT_PORT=0",
		"NEXUS_DATA_DIR="+s.opts.DataDir,
		"NEXUS_ADMIN_KEY="+s.AdminKey,
		"NEXUS_JWT_SECRET="+s.JWTSecret,
		"CLOUDFLARE_CF_FETCH_ENABLED=false",
		"WRANGLER_SEND_METRICS=false",
	)
	for k, v := range s.opts.Vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.SysProcAttr = processGroup()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("nexustest: npm start: %w", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 64*1024), 1<<20)
		for scanner.Scan() {
			line := scanner.Text()
			s.out.add(line)
			if s.opts.Log != nil {
				fmt.Fprintln(s.opts.Log, line)
			}
			if m := consoleLine.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	exited := s.exited
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	select {
	case url := <-found:
		s.URL = url
		s.Port, _ = strconv.Atoi(url[strings.LastIndexByte(url, ':')+1:])
	case <-exited:
		return fmt.Errorf("nexustest: npm start exited before it was ready:\n%s", s.Output())
	case <-ctx.Done():
		return fmt.Errorf("nexustest: npm start not ready in %s:\n%s", s.opts.StartTimeout, s.Output())
	}
	return s.waitHealthy(ctx)
}

func (s *Stack) waitHealthy(ctx context.Context) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("nexustest: /healthz not 200: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop stops the stack's whole process group (SIGTERM, then SIGKILL after 10 s) and removes a
// temporary data directory. It is safe to call more than once.
func (s *Stack) Stop() {
	s.kill()
	if s.tmpData {
		_ = os.RemoveAll(s.opts.DataDir)
		s.tmpData = false
	}
}

func (s *Stack) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
	}
	// npm start stops what it started; anything of the group still alive is killed.
	if syscall.Kill(-pgid, 0) == nil {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.exited
	}
	s.cmd = nil
}

// Restart stops the stack and starts it again on the same port, data directory and secrets, as an
// edge restart: tokens stay valid, the registry is kept, every socket is dropped.
func (s *Stack) Restart(ctx context.Context) error {
	s.Halt()
	return s.Resume(ctx)
}

// Halt stops the stack's processes but keeps its port, data directory and secrets for Resume.
func (s *Stack) Halt() { s.kill() }

// Resume starts a halted stack again on the same port, data directory and secrets.
func (s *Stack) Resume(ctx context.Context) error { return s.start(ctx, s.Port) }

// Output returns the stack's recent output.
func (s *Stack) Output() string { return s.out.String() }

func findCheckout() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil && strings.Contains(string(b), `"name": "nexus"`) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("nexustest: no Nexus checkout above the working directory; set Options.Dir")
		}
		dir = parent
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// tail keeps the last lines of output.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > 200 {
		t.lines = t.lines[len(t.lines)-200:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
