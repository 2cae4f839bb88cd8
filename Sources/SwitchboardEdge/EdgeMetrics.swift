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
    }

    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
