package nexus

import (
	"regexp"
	"sort"
	"strings"
	"time"
)

// Identity is a block as the server stamps it on what it delivers (the "from" of every frame).
type Identity struct {
	JID      string `json:"jid"`
	App      string `json:"app"`
	UID      string `json:"uid"`
	Role     string `json:"role"`
	Resource string `json:"resource"`
	Kind     string `json:"kind"`
}

// Block is one online block in a Find result. Workers list the methods they serve
// (["*"] for every method, empty when they serve nothing); frontends list none.
type Block struct {
	Identity
	// Since is when the block connected.
	Since time.Time
	// Methods is what a worker serves; nil for a frontend.
	Methods []string
}

// JID is a parsed block address, <app>-<uid>-<role>@<domain>/<resource>.
type JID struct {
	App      string
	UID      string
	Role     string
	Domain   string
	Resource string
	Kind     string
	Suffix   string
}

// Resource kinds of the contract. Workers (every kind but webuo and webxo) receive API calls and Directs.
const (
	KindUService     = "uservice"
	KindUDevelopment = "udevelopment"
	KindXService     = "xservice"
	KindXDefault     = "xdefault"
	KindXDevelopment = "xdevelopment"
	KindDefault      = "default"
	KindPyDefault    = "pydefault"
	KindGoDefault    = "godefault"
	KindDevice       = "device"
	KindWebUO        = "webuo"
	KindWebXO        = "webxo"
)

var workerKinds = map[string]bool{
	KindUService: true, KindUDevelopment: true, KindXService: true, KindXDefault: true,
	KindXDevelopment: true, KindDefault: true, KindPyDefault: true, KindGoDefault: true,
	KindDevice: true, KindWebUO: false, KindWebXO: false,
}

// kindsLongestFirst makes the first matching prefix the longest, as the contract requires.
var kindsLongestFirst = func() []string {
	kinds := make([]string, 0, len(workerKinds))
	for k := range workerKinds {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if len(kinds[i]) != len(kinds[j]) {
			return len(kinds[i]) > len(kinds[j])
		}
		return kinds[i] < kinds[j]
	})
	return kinds
}()

var (
	appPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	uidPattern    = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	suffixPattern = regexp.MustCompile(`^[A-Za-z0-9]{0,32}$`)
	namePattern   = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,128}$`)
)

// IsWorkerKind reports whether blocks of kind receive API calls and Directs.
func IsWorkerKind(kind string) bool { return workerKinds[kind] }

// ParseResource splits a resource into its kind (the longest matching prefix) and suffix;
// ok is false when no kind matches or the suffix is not [A-Za-z0-9]{0,32}.
func ParseResource(resource string) (kind, suffix string, ok bool) {
	for _, k := range kindsLongestFirst {
		if strings.HasPrefix(resource, k) {
			suffix = resource[len(k):]
			if !suffixPattern.MatchString(suffix) {
				return "", "", false
			}
			return k, suffix, true
		}
	}
	return "", "", false
}

// ParseJID parses <app>-<uid>-<role>@<domain>/<resource>, reading the local part from the right
// (an app may hold "-"); ok is false for anything the contract does not allow.
func ParseJID(jid string) (JID, bool) {
	at := strings.IndexByte(jid, '@')
	if at < 0 {
		return JID{}, false
	}
	slash := strings.IndexByte(jid[at+1:], '/')
	if slash < 0 {
		return JID{}, false
	}
	local, domain, resource := jid[:at], jid[at+1:at+1+slash], jid[at+2+slash:]
	roleDash := strings.LastIndexByte(local, '-')
	if roleDash < 0 {
		return JID{}, false
	}
	uidDash := strings.LastIndexByte(local[:roleDash], '-')
	if uidDash < 0 {
		return JID{}, false
	}
	j := JID{App: local[:uidDash], UID: local[uidDash+1 : roleDash], Role: local[roleDash+1:], Domain: domain, Resource: resource}
	kind, suffix, ok := ParseResource(resource)
	if !ok || domain == "" || !appPattern.MatchString(j.App) || !uidPattern.MatchString(j.UID) ||
		(j.Role != "owner" && j.Role != "user") {
		return JID{}, false
	}
	j.Kind, j.Suffix = kind, suffix
	return j, true
}

// String formats the JID as <app>-<uid>-<role>@<domain>/<resource>.
func (j JID) String() string {
	return j.App + "-" + j.UID + "-" + j.Role + "@" + j.Domain + "/" + j.Resource
}
