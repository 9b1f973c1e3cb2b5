package nexus

import (
	"errors"
	"testing"
)

// The identity and error-code vectors: JIDs, resources, wire codes, close codes, connect refusals.

func TestVectorsJIDs(t *testing.T) {
	var v struct {
		Valid   []struct{ JID, App, UID, Role, Domain, Resource, Kind string }
		Invalid []string
	}
	readVectors(t, "jids.json", &v)
	for _, want := range v.Valid {
		got, ok := ParseJID(want.JID)
		if !ok || got.App != want.App || got.UID != want.UID || got.Role != want.Role || got.Domain != want.Domain ||
			got.Resource != want.Resource || got.Kind != want.Kind {
			t.Fatalf("ParseJID(%q) = %+v, %v; want %+v", want.JID, got, ok, want)
		}
		if got.String() != want.JID {
			t.Fatalf("String() = %q, want %q", got.String(), want.JID)
		}
	}
	for _, bad := range v.Invalid {
		if got, ok := ParseJID(bad); ok {
			t.Fatalf("ParseJID(%q) accepted: %+v", bad, got)
		}
	}
}

func TestVectorsResources(t *testing.T) {
	var v []struct {
		Resource string
		Kind     *string
		Suffix   string
	}
	readVectors(t, "resources.json", &v)
	for _, want := range v {
		kind, suffix, ok := ParseResource(want.Resource)
		if want.Kind == nil {
			if ok {
				t.Fatalf("ParseResource(%q) accepted: %s %s", want.Resource, kind, suffix)
			}
			continue
		}
		if !ok || kind != *want.Kind || suffix != want.Suffix {
			t.Fatalf("ParseResource(%q) = %q %q %v; want %q %q", want.Resource, kind, suffix, ok, *want.Kind, want.Suffix)
		}
	}
}

func TestVectorsErrors(t *testing.T) {
	var v struct {
		Codes []struct {
			Code      Code
			Retryable bool
		}
		UnknownCode struct {
			Code      Code
			Retryable bool
		}
		Closes []struct {
			Code      int
			Reconnect any
			Error     Code
		}
		ConnectRefusals []struct {
			Status    int
			Body      string
			Code      Code
			Quota     string
			Retryable bool
		}
	}
	readVectors(t, "errors.json", &v)
	sentinels := map[Code]*Error{}
	for _, s := range []*Error{ErrBadRequest, ErrTooLarge, ErrRateLimited, ErrQuotaExceeded, ErrForbidden, ErrNotFound,
		ErrOffline, ErrNotAWorker, ErrNoResponders, ErrWorkerGone, ErrTimeout, ErrAppError, ErrInternal, ErrUnauthorized,
		ErrUnavailable, ErrDisconnected} {
		sentinels[s.Code] = s
	}
	for _, c := range v.Codes {
		s, ok := sentinels[c.Code]
		if !ok || c.Code.Retryable() != c.Retryable || s.Retryable != c.Retryable {
			t.Fatalf("code %s: sentinel %v, retryable %v, want %v", c.Code, ok, c.Code.Retryable(), c.Retryable)
		}
		if e := (wireError{Code: c.Code, Message: "m"}).toError(); !errors.Is(e, s) || e.Retryable != c.Retryable {
			t.Fatalf("code %s from the wire: %#v", c.Code, e)
		}
	}
	if e := (wireError{Code: v.UnknownCode.Code, Message: "?"}).toError(); e.Code != v.UnknownCode.Code || e.Retryable != v.UnknownCode.Retryable {
		t.Fatalf("unknown code: %#v", e)
	}
	for _, c := range v.Closes {
		for _, hasTokenFunc := range []bool{false, true} {
			e := terminalClose(c.Code, "", hasTokenFunc)
			reconnect := c.Reconnect == true || (c.Reconnect == "with_new_token" && hasTokenFunc)
			if reconnect != (e == nil) || (e != nil && (e.Code != c.Error || e.Retryable)) {
				t.Fatalf("close %d (TokenFunc %v): %+v, want reconnect %v error %q", c.Code, hasTokenFunc, e, c.Reconnect, c.Error)
			}
		}
	}
	for _, r := range v.ConnectRefusals {
		if e := refusalError(r.Status, []byte(r.Body)); e.Code != r.Code || e.Retryable != r.Retryable || e.Quota != r.Quota {
			t.Fatalf("refusal %d %s: %+v", r.Status, r.Body, e)
		}
	}
}
