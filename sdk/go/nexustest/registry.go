//go:build unix

package nexustest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// TokenRequest is the body of POST /v1/admin/tokens.
type TokenRequest struct {
	UID        string   `json:"uid"`
	App        string   `json:"app"`
	Kinds      []string `json:"kinds,omitempty"`
	Pub        []string `json:"pub,omitempty"`
	Sub        []string `json:"sub,omitempty"`
	TTLSeconds int      `json:"ttlSeconds,omitempty"`
}

// Token mints a development token.
func (s *Stack) Token(ctx context.Context, req TokenRequest) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	if err := s.admin(ctx, http.MethodPost, "/v1/admin/tokens", req, &out); err != nil {
		return "", err
	}
	return out.Token, nil
}

// CreateApp creates app (or re-owns it) with owner's uid.
func (s *Stack) CreateApp(ctx context.Context, app, owner string) error {
	return s.admin(ctx, http.MethodPut, "/v1/admin/apps/"+url.PathEscape(app), map[string]string{"owner": owner}, nil)
}

// Grant gives uid a grant ("get" or "purchase") on app.
func (s *Stack) Grant(ctx context.Context, app, uid, kind string) error {
	path := "/v1/admin/apps/" + url.PathEscape(app) + "/grants/" + url.PathEscape(uid)
	return s.admin(ctx, http.MethodPut, path, map[string]string{"kind": kind}, nil)
}

func (s *Stack) admin(ctx context.Context, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.AdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("nexustest: %s %s: HTTP %d: %s", method, path, resp.StatusCode, text)
	}
	if out != nil {
		return json.Unmarshal(text, out)
	}
	return nil
}
