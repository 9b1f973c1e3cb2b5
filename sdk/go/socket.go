package nexus

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// writeTimeout bounds one frame write; a socket that cannot take a frame in that time is dead.
const writeTimeout = 10 * time.Second

// readLimit bounds one server frame; the edge's frames stay under maxFrameBytes plus their envelope.
const readLimit = 16 << 20

// outFrame is one text frame to write, with the request it belongs to (nil for answers and pings).
type outFrame struct {
	text []byte
	req  *pending
}

// socket is one welcomed WebSocket: a writer goroutine keeps frames in the order queued, a
// reader goroutine hands frames to the client, and its context ends when either side fails.
type socket struct {
	ws       *websocket.Conn
	ctx      context.Context
	cancel   context.CancelFunc
	lastRecv atomic.Int64 // unix nanos of the last frame received

	mu    sync.Mutex
	queue []outFrame
	wake  chan struct{}

	closeCode   int
	closeReason string
	ended       chan struct{} // closed when the reader has stopped; closeCode is then set
}

func newSocket(parent context.Context, ws *websocket.Conn) *socket {
	ctx, cancel := context.WithCancel(parent)
	s := &socket{ws: ws, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), ended: make(chan struct{})}
	s.lastRecv.Store(time.Now().UnixNano())
	return s
}

// enqueue queues a frame for the writer; it never blocks, so it may be called under the client's lock.
func (s *socket) enqueue(f outFrame) {
	s.mu.Lock()
	s.queue = append(s.queue, f)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// writeLoop writes queued frames in order until the socket ends; written reports each request frame.
func (s *socket) writeLoop(written func(*pending, error)) {
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		}
		s.mu.Lock()
		batch := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, f := range batch {
			// Never the caller's context: coder/websocket closes the connection when a write's context ends.
			ctx, cancel := context.WithTimeout(s.ctx, writeTimeout)
			err := s.ws.Write(ctx, websocket.MessageText, f.text)
			cancel()
			if err != nil {
				s.cancel()
				return
			}
			if f.req != nil {
				written(f.req, nil)
			}
		}
	}
}

// readAckBytes: after this much read, the client pings. The edge cannot see what a socket still
// buffers, so it counts what it sent since the client last sent anything, and closes a client that
// stays silent past its bound (16 MiB by default) with 4013: a client that reads is never cut.
const readAckBytes = 1 << 20

// readLoop hands every text frame to frame until the socket ends, then records the close code.
func (s *socket) readLoop(frame func([]byte)) {
	defer close(s.ended)
	defer s.cancel()
	unacked := 0
	for {
		typ, data, err := s.ws.Read(s.ctx)
		if err != nil {
			s.closeCode, s.closeReason = closeOf(err)
			return
		}
		s.lastRecv.Store(time.Now().UnixNano())
		if unacked += len(data); unacked >= readAckBytes {
			unacked = 0
			s.enqueue(outFrame{text: []byte(pingFrame)})
		}
		if typ == websocket.MessageText {
			frame(data)
		}
	}
}

// keepalive pings every interval, whatever comes back (the edge closes a worker silent for three
// intervals with 4002), and kills the socket when nothing at all arrived within timeout of a ping;
// any frame counts as a sign of life, so a busy socket is never dropped for a pong behind messages.
func (s *socket) keepalive(interval, timeout time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var deadline <-chan time.Time
	var sent int64
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-ticker.C:
			if deadline == nil {
				sent, deadline = time.Now().UnixNano(), time.After(timeout)
			}
			s.enqueue(outFrame{text: []byte(pingFrame)})
		case <-deadline:
			if s.lastRecv.Load() < sent {
				s.cancel()
				return
			}
			deadline = nil
		}
	}
}

// close sends a close frame and gives the edge a moment to answer it before dropping the connection.
func (s *socket) close(code websocket.StatusCode, reason string) {
	done := make(chan struct{})
	go func() {
		_ = s.ws.Close(code, reason)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	s.cancel()
	<-s.ended
}

// closeOf returns the close code and reason of a read error; 1006 when the connection just ended.
func closeOf(err error) (int, string) {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return int(ce.Code), ce.Reason
	}
	return int(websocket.StatusAbnormalClosure), ""
}
