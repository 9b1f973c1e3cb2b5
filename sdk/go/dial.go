package nexus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/coder/websocket"
)

// connectURL is the WebSocket URL of /v1/connect for an edge base URL and a kind or exact resource.
// http(s) becomes ws(s) and a base path is kept (https://host/nexus -> wss://host/nexus/v1/connect).
// The token goes in the Authorization header, never the URL, so it stays out of access logs.
func connectURL(base, kind, resource string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "", &Error{Code: CodeBadRequest, Message: "invalid url: " + base, Err: err}
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	case "ws", "wss":
	default:
		return "", NewError(CodeBadRequest, "url must be http(s) or ws(s), got "+u.Scheme)
	}
	if !strings.HasSuffix(u.Path, "/v1/connect") {
		u.Path = strings.TrimRight(u.Path, "/") + "/v1/connect"
	}
	q := url.Values{}
	if resource != "" {
		q.Set("resource", resource)
	} else {
		q.Set("kind", kind)
	}
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.String(), nil
}

// refusalCodes maps the status of a refused upgrade to its contract code, for a body without one.
var refusalCodes = map[int]Code{
	http.StatusBadRequest:         CodeBadRequest,
	http.StatusUnauthorized:       CodeUnauthorized,
	http.StatusForbidden:          CodeForbidden,
	http.StatusTooManyRequests:    CodeQuotaExceeded,
	http.StatusServiceUnavailable: CodeUnavailable,
}

// refusalError is the error of a refused upgrade: the JSON body's code when present, else one from
// the status. 429 and 5xx are retryable, so a reconnecting client keeps trying; the rest are final.
func refusalError(status int, body []byte) *Error {
	code, ok := refusalCodes[status]
	if !ok {
		code = CodeBadRequest
		if status >= 500 {
			code = CodeInternal
		}
	}
	message := fmt.Sprintf("connect refused with HTTP %d", status)
	var parsed struct {
		Error *wireError `json:"error"`
	}
	if json.Unmarshal(body, &parsed) == nil && parsed.Error != nil {
		if parsed.Error.Code != "" {
			code = parsed.Error.Code
		}
		if parsed.Error.Message != "" {
			message = "connect refused: " + parsed.Error.Message
		}
	}
	e := &Error{Code: code, Message: message, Status: status, Retryable: status >= 500 || status == http.StatusTooManyRequests}
	if parsed.Error != nil {
		e.Quota = parsed.Error.Quota
	}
	return e
}

// welcomeFrame is what dial learns from the first frame.
type welcomeFrame struct {
	identity Identity
	limits   Limits
}

// dial opens one socket and reads its welcome, within ctx.
func (c *Client) dial(ctx context.Context, resource string) (*websocket.Conn, welcomeFrame, error) {
	token, err := c.opts.token(ctx)
	if err != nil {
		return nil, welcomeFrame{}, &Error{Code: CodeUnauthorized, Message: "TokenFunc failed: " + err.Error(), Err: err}
	}
	kind := c.opts.Kind
	if resource == "" {
		resource = c.opts.Resource
	}
	target, err := connectURL(c.opts.URL, kind, resource)
	if err != nil {
		return nil, welcomeFrame{}, err
	}
	header := http.Header{}
	for k, v := range c.opts.HTTPHeader {
		header[k] = v
	}
	header.Set("Authorization", "Bearer "+token)
	ws, resp, err := websocket.Dial(ctx, target, &websocket.DialOptions{HTTPClient: c.opts.HTTPClient, HTTPHeader: header})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols && resp.StatusCode != 0 {
			var body []byte
			if resp.Body != nil {
				body, _ = io.ReadAll(io.LimitReader(resp.Body, 4096))
				_ = resp.Body.Close()
			}
			return nil, welcomeFrame{}, refusalError(resp.StatusCode, body)
		}
		return nil, welcomeFrame{}, &Error{Code: CodeDisconnected, Message: "could not connect to " + c.opts.URL + ": " + err.Error(), Retryable: true, Err: err}
	}
	ws.SetReadLimit(readLimit)
	typ, data, err := ws.Read(ctx)
	if err != nil {
		ws.CloseNow()
		code, reason := closeOf(err)
		if t := terminalClose(code, reason, c.opts.TokenFunc != nil); t != nil {
			return nil, welcomeFrame{}, t
		}
		return nil, welcomeFrame{}, &Error{Code: CodeDisconnected, Message: "no welcome from " + c.opts.URL, Retryable: true, CloseCode: code, Err: err}
	}
	f, _ := decodeServerFrame(data)
	welcome, ok := parseWelcome(f)
	if typ != websocket.MessageText || !ok {
		ws.Close(websocket.StatusProtocolError, "expected welcome")
		return nil, welcomeFrame{}, &Error{Code: CodeInternal, Message: "the first frame was not a welcome", Retryable: true}
	}
	return ws, welcome, nil
}

// terminalClose is the error for a close code after which the client must not reconnect on its own,
// or nil when it may: 4008 (policy) and 4009 (replaced) are final; 4001 (token expired) is final
// unless a TokenFunc can be asked for a fresh token. 4002 (missed keepalive) and the rest reconnect.
func terminalClose(code int, reason string, hasTokenFunc bool) *Error {
	why := ""
	if reason != "" {
		why = ": " + reason
	}
	switch code {
	case 4001:
		if hasTokenFunc {
			return nil
		}
		return &Error{Code: CodeUnauthorized, Message: "token expired (close 4001)" + why, CloseCode: code}
	case 4008:
		return &Error{Code: CodeForbidden, Message: "closed by policy (close 4008)" + why, CloseCode: code}
	case 4009:
		return &Error{Code: CodeDisconnected, Message: "replaced by a newer connection with the same JID (close 4009)" + why, CloseCode: code}
	}
	return nil
}

// isTransient reports whether err is worth reconnecting after.
func isTransient(err error) bool {
	var e *Error
	return !errors.As(err, &e) || e.Retryable
}
