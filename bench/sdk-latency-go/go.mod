module github.com/qe/nexus/bench/sdk-latency-go

go 1.23

require github.com/qe/nexus/sdk/go v0.0.0

require github.com/coder/websocket v1.8.15 // indirect

replace github.com/qe/nexus/sdk/go => ../../sdk/go
