//go:build unix

package nexus_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	nexus "github.com/qe/nexus/sdk/go"
)

func TestFindListsBlocksWithMethods(t *testing.T) {
	app, owner := newApp(t)
	w := connect(t, token(t, owner, app), nexus.KindGoDefault)
	for _, m := range []string{"status", "sum"} {
		if _, err := w.Serve(testContext(t), m, func(context.Context, *nexus.Request) (any, error) { return nil, nil }); err != nil {
			t.Fatal(err)
		}
	}
	c := connect(t, token(t, owner, app), nexus.KindWebUO)
	blocks, err := c.Find(testContext(t), nexus.FindQuery{App: app})
	if err != nil {
		t.Fatal(err)
	}
	byJID := map[string]nexus.Block{}
	for _, b := range blocks {
		byJID[b.JID] = b
	}
	wb, ok := byJID[w.JID()]
	if !ok || len(blocks) != 2 {
		t.Fatalf("find = %+v", blocks)
	}
	methods := slices.Clone(wb.Methods)
	slices.Sort(methods)
	if !slices.Equal(methods, []string{"status", "sum"}) || wb.Kind != nexus.KindGoDefault || wb.App != app {
		t.Fatalf("worker entry = %+v", wb)
	}
	if wb.Since.IsZero() || time.Since(wb.Since) > time.Hour {
		t.Fatalf("since = %v", wb.Since)
	}
	only, err := c.Find(testContext(t), nexus.FindQuery{App: app, Kind: nexus.KindGoDefault})
	if err != nil || len(only) != 1 || only[0].JID != w.JID() {
		t.Fatalf("find by kind = %+v, %v", only, err)
	}
}

func TestFindScopeApp(t *testing.T) {
	app, owner := newApp(t)
	user := newUID()
	u := connect(t, token(t, user, app), nexus.KindGoDefault)
	o := connect(t, token(t, owner, app), nexus.KindWebUO)
	all, err := o.Find(testContext(t), nexus.FindQuery{Scope: nexus.ScopeApp})
	if err != nil {
		t.Fatal(err)
	}
	var jids []string
	for _, b := range all {
		jids = append(jids, b.JID)
	}
	if !slices.Contains(jids, u.JID()) || !slices.Contains(jids, o.JID()) {
		t.Fatalf("scope app = %v", jids)
	}
	own, err := u.Find(testContext(t), nexus.FindQuery{})
	if err != nil || len(own) != 1 || own[0].JID != u.JID() {
		t.Fatalf("own scope = %+v, %v", own, err)
	}
	if _, err := u.Find(testContext(t), nexus.FindQuery{Scope: nexus.ScopeApp}); !errors.Is(err, nexus.ErrForbidden) {
		t.Fatalf("scope app by a user: %v", err)
	}
}
