module github.com/qe/nexus/test/faults/clients/go

go 1.23

require github.com/qe/nexus/sdk/go v0.0.0

require github.com/coder/websocket v1.8.15 // indirect

// The SDK from this checkout.
replace github.com/qe/nexus/sdk/go => ../../../../sdk/go
