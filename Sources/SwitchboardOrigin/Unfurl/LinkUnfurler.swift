import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SwitchboardCore
import SwitchboardServer
import SwitchboardLocking

/// Adds link previews to new messages, after the fact: each message with http(s) links is
/// queued (bounded; the overflow is skipped), its pages fetched under ``AddressPolicy`` with a
/// time and size limit, and the previews stored with a `message.updated` event, which reaches
/// edges and sessions like any other.
public final class LinkUnfurler: Service, Sendable {
    struct Job: Sendable {
        let workspaceID: Snowflake
        let channelID: Snowflake
        let messageID: Snowflake
        let links: [URL]
    }

    private let store: any Store
    private let events: EventHub
    private let metrics: OriginMetrics
    private let configuration: UnfurlConfiguration
    private let policy: AddressPolicy
    private let logger: Logger
    /// Its own client: no redirects followed by the library (each hop is checked here).
    private let http = HTTPClientService(configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
    private let jobs: AsyncStream<Job>
    private let queue: AsyncStream<Job>.Continuation
    /// Recent previews by URL, so a link pasted in many channels is fetched once.
    private let cache = Locked<[String: (preview: LinkPreview?, expiresMs: UInt64)]>([:])

    public init(store: any Store, events: EventHub, metrics: OriginMetrics, configuration: UnfurlConfiguration, logger: Logger) {
        self.store = store
        self.events = events
        self.metrics = metrics
        self.configuration = configuration
        policy = AddressPolicy(configuration: configuration)
        self.logger = logger
        (jobs, queue) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(configuration.queueLimit))
    }

    /// Queues a new message's links; returns at once.
    public func submit(workspaceID: Snowflake, message: Message) {
        guard configuration.enabled else { return }
        let links = Array(Self.links(in: message.content).prefix(configuration.maxLinksPerMessage))
        guard !links.isEmpty else { return }
        queue.yield(Job(workspaceID: workspaceID, channelID: message.channelID, messageID: message.id, links: links))
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.http.run() }
            group.addTask {
                await withGracefulShutdownHandler {
                    await self.work()
                } onGracefulShutdown: {
                    self.queue.finish()
                }
            }
            try await group.waitForAll()
        }
    }

    /// Runs jobs, `concurrency` at a time, until the queue is finished.
    private func work() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await job in jobs {
                if running == configuration.concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await self.unfurl(job) }
                running += 1
            }
        }
    }

    private func unfurl(_ job: Job) async {
        var previews: [LinkPreview] = []
        for link in job.links {
            if let preview = await preview(of: link) { previews.append(preview) }
        }
        guard !previews.isEmpty else { return }
        do {
            if try await store.setLinkPreviews(channelID: job.channelID, messageID: job.messageID, previews,
                                               nowMs: WallClock.nowMs()) != nil {
                events.poke(job.workspaceID)
            }
        } catch {
            logger.warning("storing link previews failed", metadata: ["message_id": "\(job.messageID)", "error": "\(error)"])
        }
    }

    /// The page's preview, from the cache or fetched; nil if refused, failed or without one.
    func preview(of link: URL) async -> LinkPreview? {
        let nowMs = WallClock.nowMs()
        if let cached = cache.withLock({ $0[link.absoluteString] }), cached.expiresMs > nowMs { return cached.preview }
        var preview: LinkPreview?
        do {
            preview = try await fetch(link)
            if preview != nil { metrics.unfurlPreviews.increment() } else { metrics.unfurlFailed.increment() }
        } catch let refusal as AddressPolicy.Refusal {
            metrics.unfurlRefused.increment()
            logger.debug("link not fetched", metadata: ["url": "\(link)", "reason": "\(refusal)"])
        } catch {
            metrics.unfurlFailed.increment()
            logger.debug("link fetch failed", metadata: ["url": "\(link)", "error": "\(error)"])
        }
        cache.withLock { cache in
            if cache.count >= 1_000 { cache.removeAll() }
            cache[link.absoluteString] = (preview, nowMs + 10 * 60 * 1000)
        }
        return preview
    }

    /// Fetches `link`, following at most `maxRedirects` redirects, each checked like the first.
    private func fetch(_ link: URL) async throws -> LinkPreview? {
        let deadline = NIODeadline.now() + .milliseconds(configuration.timeoutMs)
        var url = link
        for _ in 0...configuration.maxRedirects {
            let addresses = try policy.check(url)
            var request = HTTPClientRequest(url: Self.pinned(url, to: addresses[0]))
            request.headers.add(name: "Host", value: url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } ?? "")
            request.headers.add(name: "User-Agent", value: "SwitchboardBot/1.0 (link previews)")
            request.headers.add(name: "Accept", value: "text/html,application/xhtml+xml")
            let response = try await http.client.execute(request, deadline: deadline)
            if (300..<400).contains(response.status.code), let location = response.headers.first(name: "Location"),
               let next = URL(string: location, relativeTo: url)?.absoluteURL {
                url = next
                continue
            }
            let type = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
            guard response.status == .ok, type.contains("text/html") || type.contains("application/xhtml") else { return nil }
            var page = ByteBuffer()
            for try await chunk in response.body {
                page.writeImmutableBuffer(chunk.getSlice(at: chunk.readerIndex,
                                                         length: min(chunk.readableBytes, configuration.maxBytes - page.readableBytes))!)
                if page.readableBytes >= configuration.maxBytes { break }
            }
            return PreviewParser.preview(of: String(decoding: page.readableBytesView, as: UTF8.self), url: url)
        }
        return nil
    }

    /// For plain http, the URL with its host replaced by the address that was checked, so
    /// that a second DNS answer cannot point the request elsewhere (`Host` keeps the name).
    /// https keeps the name for certificate checks.
    static func pinned(_ url: URL, to address: String) -> String {
        guard url.scheme?.lowercased() == "http", var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else {
            return url.absoluteString
        }
        components.host = address.contains(":") ? "[\(address)]" : address
        return components.string ?? url.absoluteString
    }

    /// The http(s) links of a message's text: bare (`https://…`) or in angle brackets
    /// (`<https://…|label>`), trailing punctuation dropped, each once.
    static func links(in content: String) -> [URL] {
        var links: [URL] = []
        var seen = Set<String>()
        for word in content.split(whereSeparator: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "|" }) {
            var text = String(word.drop(while: { "([{'\"".contains($0) }))
            let lower = text.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { continue }
            while let last = text.last, ".,;:!?)]}'\"".contains(last) { text.removeLast() }
            guard let url = URL(string: text), url.host != nil, seen.insert(url.absoluteString).inserted else { continue }
            links.append(url)
        }
        return links
    }
}
