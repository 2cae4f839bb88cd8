import Prometheus

/// The edge's Prometheus registry (one per edge, not global). Served by `GET /metrics`.
public final class EdgeMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let upstreamConnects: Prometheus.Counter
    let snapshotsReceived: Prometheus.Counter
    let eventsApplied: Prometheus.Counter
    let bootstraps: Prometheus.Counter
    let historyFromCache: Prometheus.Counter
    let historyFromOrigin: Prometheus.Counter
    let historyOriginFetches: Prometheus.Counter
    let proxied: Prometheus.Counter
    let gatewaySessions: Prometheus.Gauge
    let gatewayIdentifies: Prometheus.Counter
    let gatewayResumes: Prometheus.Counter
    let deliveries: Prometheus.Counter
    let badges: Prometheus.Counter
    let prefetches: Prometheus.Counter
    let slowConsumers: Prometheus.Counter
    let feedMoves: Prometheus.Counter

    public init() {
        upstreamConnects = registry.makeCounter(name: "switchboard_edge_upstream_connects_total", help: "Feed connections opened")
        snapshotsReceived = registry.makeCounter(name: "switchboard_edge_snapshots_total", help: "Feeds that began with a snapshot")
        eventsApplied = registry.makeCounter(name: "switchboard_edge_events_applied_total", help: "Feed events applied to LMDB")
        bootstraps = registry.makeCounter(name: "switchboard_edge_bootstraps_total", help: "Working sets served")
        historyFromCache = registry.makeCounter(name: "switchboard_edge_history_requests_total", labels: [("source", "cache")],
                                                help: "History pages served")
        historyFromOrigin = registry.makeCounter(name: "switchboard_edge_history_requests_total", labels: [("source", "origin")],
                                                 help: "History pages served")
        historyOriginFetches = registry.makeCounter(name: "switchboard_edge_history_origin_fetches_total",
                                                    help: "History pages fetched from the origin (after coalescing)")
        proxied = registry.makeCounter(name: "switchboard_edge_proxied_requests_total", help: "Requests passed to the origin")
        gatewaySessions = registry.makeGauge(name: "switchboard_edge_gateway_sessions", help: "Gateway sessions held (attached or resumable)")
        gatewayIdentifies = registry.makeCounter(name: "switchboard_edge_gateway_identifies_total", help: "Sessions identified")
        gatewayResumes = registry.makeCounter(name: "switchboard_edge_gateway_resumes_total", help: "Sessions resumed")
        deliveries = registry.makeCounter(name: "switchboard_edge_deliveries_total", help: "Events queued to sessions")
        badges = registry.makeCounter(name: "switchboard_edge_badges_total", help: "unread.updated badges queued to sessions")
        prefetches = registry.makeCounter(name: "switchboard_edge_prefetches_total", help: "Profiles pushed ahead of a message")
        feedMoves = registry.makeCounter(name: "switchboard_edge_feed_moves_total",
                                         help: "Feeds moved to another origin process (one went down, or came back)")
        slowConsumers = registry.makeCounter(name: "switchboard_edge_slow_consumers_total",
                                             help: "Sessions disconnected because their queue overflowed")
    }

    /// 1 while the origin process at `url` answers its probes, 0 while it is down.
    func originUp(_ url: String) -> Prometheus.Gauge {
        registry.makeGauge(name: "switchboard_edge_origin_up", labels: [("origin", url)],
                           help: "Origin processes as this edge's probes see them (1 up, 0 down)")
    }

    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
