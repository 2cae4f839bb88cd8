/// Link previews: what the origin may fetch, and how much.
public struct UnfurlConfiguration: Sendable {
    /// Fetch previews at all. Default true.
    public var enabled = true
    /// Fetch from loopback and private address ranges too (tests, intranets). Default false:
    /// a message must not be able to make the origin probe its own network.
    public var allowPrivate = false
    /// When not empty, only these hosts (and their subdomains) are fetched. Default empty.
    public var allowHosts: [String] = []
    /// Never fetched (nor their subdomains). Default empty.
    public var denyHosts: [String] = []
    /// Whole fetch, redirects included (ms). Default 5,000.
    public var timeoutMs: Int64 = 5_000
    /// Bytes of a page read at most (the head is what matters). Default 512 KiB.
    public var maxBytes = 512 << 10
    /// Redirects followed, each checked like the first URL. Default 3.
    public var maxRedirects = 3
    /// Links previewed per message. Default 3.
    public var maxLinksPerMessage = 3
    /// Pages fetched at once. Default 4.
    public var concurrency = 4
    /// Messages waiting to be unfurled; more are skipped. Default 1,000.
    public var queueLimit = 1_000

    public init() {}
}
