#!/usr/bin/env bash
# npm run test:go: the Go SDK's checks (gofmt, go vet, staticcheck) and its tests with -race against the
# real local stack (TestMain starts npm start on free ports), then the Go examples' and bench's builds.
set -euo pipefail
cd "$(dirname "$0")/.."
export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false

if ! command -v go >/dev/null 2>&1; then
  echo "test:go: the Go toolchain (1.23 or newer) is needed: https://go.dev/dl/" >&2
  exit 1
fi

# staticcheck from the Go module proxy, installed once into GOPATH/bin and reused.
STATICCHECK_VERSION=v0.8.2
staticcheck="$(go env GOPATH)/bin/staticcheck"
if ! "$staticcheck" -version 2>/dev/null | grep -q "(${STATICCHECK_VERSION#v})"; then
  echo "test:go: installing staticcheck ${STATICCHECK_VERSION}"
  go install "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}"
fi

check() {
  local dir=$1
  local unformatted
  unformatted=$(cd "$dir" && gofmt -l .)
  if [ -n "$unformatted" ]; then
    echo "test:go: not gofmt-formatted in $dir: $unformatted" >&2
    exit 1
  fi
  (cd "$dir" && go vet ./... && "$staticcheck" ./...)
}

for dir in sdk/go examples/go bench/sdk-latency-go test/faults/clients/go; do
  [ -f "$dir/go.mod" ] && check "$dir"
done
(cd examples/go && go build ./...)
# One main package: -o /dev/null, or go build would leave the binary in the tree.
[ -f bench/sdk-latency-go/go.mod ] && (cd bench/sdk-latency-go && go build -o /dev/null .)
(cd sdk/go && go test -race -count=1 -timeout 10m ./...)
