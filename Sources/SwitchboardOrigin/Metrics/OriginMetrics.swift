import Prometheus

/// The origin's Prometheus registry, one per process (tests run several origins in one
/// process, so nothing here is global). Served as text by `GET /metrics`.
public final class OriginMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let messagesPosted: Prometheus.Counter
    let nonceReplays: Prometheus.Counter
    let rateLimited: Prometheus.Counter
    let fullBootstraps: Prometheus.Counter
    let gatewayConnections: Prometheus.Gauge
    let gatewayIdentifies: Prometheus.Counter
    let gatewayResumes: Prometheus.Counter
    let slowConsumers: Prometheus.Counter
    let feedConnections: Prometheus.Gauge
    let feedSnapshots: Prometheus.Counter
    let feedReplays: Prometheus.Counter
    let unfurlPreviews: Prometheus.Counter
    let unfurlRefused: Prometheus.Counter
    let unfurlFailed: Prometheus.Counter

    public init() {
        messagesPosted = registry.makeCounter(name: "switchboard_messages_posted_total", help: "Messages stored")
        nonceReplays = registry.makeCounter(name: "switchboard_nonce_replays_total", help: "Sends answered with an earlier message")
        rateLimited = registry.makeCounter(name: "switchboard_rate_limited_total", help: "Sends refused by the rate limit")
        fullBootstraps = registry.makeCounter(name: "switchboard_full_bootstraps_total", help: "GET /api/rtm.start served")
        gatewayConnections = registry.makeGauge(name: "switchboard_gateway_connections", help: "Open client WebSockets")
        gatewayIdentifies = registry.makeCounter(name: "switchboard_gateway_identifies_total", help: "Sessions identified")
        gatewayResumes = registry.makeCounter(name: "switchboard_gateway_resumes_total", help: "Sessions resumed")
        slowConsumers = registry.makeCounter(name: "switchboard_gateway_slow_consumers_total",
                                             help: "Gateway connections closed because their client did not keep up")
        feedConnections = registry.makeGauge(name: "switchboard_feed_connections", help: "Open edge feeds")
        feedSnapshots = registry.makeCounter(name: "switchboard_feed_snapshots_total", help: "Edge feeds started with a snapshot")
        feedReplays = registry.makeCounter(name: "switchboard_feed_replays_total", help: "Edge feeds resumed from a cursor")
        unfurlPreviews = registry.makeCounter(name: "switchboard_unfurl_previews_total", help: "Link previews made")
        unfurlRefused = registry.makeCounter(name: "switchboard_unfurl_refused_total",
                                             help: "Links not fetched: scheme, host lists, private addresses")
        unfurlFailed = registry.makeCounter(name: "switchboard_unfurl_failed_total",
                                            help: "Links fetched without a preview: errors, timeouts, not HTML")
    }

    /// Counter of HTTP requests by method, route template and status.
    func requests(method: String, route: String, status: Int) -> Prometheus.Counter {
        registry.makeCounter(name: "switchboard_http_requests_total",
                             labels: [("method", method), ("route", route), ("status", String(status))],
                             help: "HTTP requests served")
    }

    func requestDuration(route: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            name: "switchboard_http_request_duration_seconds", labels: [("route", route)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(1000), .seconds(5)],
            help: "HTTP request latency")
    }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
