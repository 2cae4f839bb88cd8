import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import SwitchboardCore
import SwitchboardServer
import SwitchboardLocking

/// Turns committed messages into notifications for the people they concern who are not
/// there to see them: mentioned users, `@channel` members, connected-but-away members for
/// `@here`, DM partners and the followers of a reply's thread — whenever their presence is
/// not `active`. Each becomes a stored
/// notification (coalesced per user and channel), a `notification.created` event and, if a
/// push webhook is configured, a coalesced POST to it.
///
/// Work is queued (bounded) and done off the posting path: an ack never waits for it.
public final class Notifier: Service, Sendable {
    struct Job: Sendable {
        var workspaceID: Snowflake
        var message: Message
    }

    private let store: any Store
    private let presence: PresenceTracker
    private let events: EventHub
    private let ids: SnowflakeGenerator
    private let configuration: NotificationConfiguration
    private let logger: Logger
    private let jobs: AsyncStream<Job>
    private let jobInput: AsyncStream<Job>.Continuation
    let pushes: PushCoalescer
    /// Per channel: itself and who wants every message, read at most every few seconds, so that
    /// the many messages that concern nobody cost no store read (and never crowd the queue).
    private let facts = Locked<[Snowflake: ChannelFacts]>([:])
    private static let factsMs: UInt64 = 5_000, factsLimit = 10_000

    struct ChannelFacts: Sendable {
        var channel: SwitchboardCore.Channel
        var everything: [Snowflake]
        var readAtMs: UInt64
    }

    init(store: any Store, presence: PresenceTracker, events: EventHub, ids: SnowflakeGenerator,
         configuration: NotificationConfiguration, http: HTTPClient, logger: Logger) {
        self.store = store
        self.presence = presence
        self.events = events
        self.ids = ids
        self.configuration = configuration
        self.logger = logger
        (jobs, jobInput) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(configuration.queueLimit))
        pushes = PushCoalescer(configuration: configuration, http: http, logger: logger)
    }

    /// Queues a committed message; never waits. When the queue is full the message's
    /// notifications are dropped (and logged): the message itself is safe.
    func submit(workspaceID: Snowflake, message: Message) {
        // Any message may concern a member whose level is `all`: each is examined.
        if case .dropped = jobInput.yield(Job(workspaceID: workspaceID, message: message)) {
            logger.warning("notification queue full; dropped", metadata: ["message_id": "\(message.id)"])
        }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.pushes.run() }
            await withGracefulShutdownHandler {
                for await job in self.jobs {
                    do {
                        try await self.process(job)
                    } catch {
                        self.logger.error("notifying failed", metadata: ["message_id": "\(job.message.id)", "error": "\(error)"])
                    }
                }
            } onGracefulShutdown: {
                // What is queued is still examined; nothing new is taken.
                self.jobInput.finish()
            }
            self.pushes.stop()
        }
    }

    /// A member's preferences for the channel changed here.
    func forget(_ channelID: Snowflake) { facts.withLock { $0[channelID] = nil } }

    private func channelFacts(_ channelID: Snowflake) async throws -> ChannelFacts? {
        let nowMs = WallClock.nowMs()
        if let known = facts.withLock({ $0[channelID] }), known.readAtMs + Self.factsMs > nowMs { return known }
        // Viewer 0 is nobody: no per-viewer counts are computed.
        guard let channel = try await store.channel(channelID, viewer: Snowflake(0)) else { return nil }
        let known = ChannelFacts(channel: channel, everything: channel.kind.isDirect ? []
                                     : try await store.membersNotifiedOfEverything(channelID: channelID), readAtMs: nowMs)
        facts.withLock { map in
            if map.count >= Self.factsLimit { map.removeAll() }
            map[channelID] = known
        }
        return known
    }

    private func process(_ job: Job) async throws {
        let message = job.message
        guard let facts = try await channelFacts(message.channelID) else { return }
        let channel = facts.channel
        let plain = message.mentions.isEmpty && !message.mentionsHere && !message.mentionsChannel && message.threadID == nil
        if plain && !channel.kind.isDirect && facts.everything.isEmpty { return }
        var kinds: [Snowflake: NotificationKind] = [:]
        if channel.kind.isDirect {
            for member in channel.memberIDs ?? [] where member != message.authorID && configuration.notifyDirect { kinds[member] = .dm }
        } else {
            if message.mentionsChannel || message.mentionsHere {
                // Broadcasts are bounded: beyond the limit a channel is too large to page through per message.
                var cursor: Snowflake?
                var seen = 0
                while seen < configuration.broadcastMemberLimit {
                    let page = try await store.members(channelID: channel.id, after: cursor, limit: 1_000)
                    for member in page where member != message.authorID {
                        if message.mentionsChannel { kinds[member] = .channel }
                        else if presence.isConnected(member) { kinds[member] = .here }
                    }
                    seen += page.count
                    guard page.count == 1_000 else { break }
                    cursor = page.last
                }
            }
            // A reply notifies who follows its thread (a mention still says "mention").
            if let thread = message.threadID {
                for user in try await store.threadFollowers(threadID: thread) where user != message.authorID && kinds[user] == nil {
                    kinds[user] = .thread
                }
            }
            for user in message.mentions where user != message.authorID {
                if try await store.isMember(channelID: channel.id, userID: user) { kinds[user] = .mention }
            }
            if message.threadID == nil || message.alsoToChannel {
                for user in facts.everything where user != message.authorID && kinds[user] == nil {
                    kinds[user] = .message
                }
            }
        }
        // Each member's level and mute decide (ChannelPreferences).
        let chosen = try await store.chosenPreferences(channelID: channel.id, userIDs: Array(kinds.keys))
        kinds = kinds.filter { user, kind in (chosen[user] ?? .defaults(for: channel.kind)).notifies(kind) }
        let author = try await store.user(message.authorID)
        let nowMs = WallClock.nowMs()
        for (user, kind) in kinds where presence.status(of: user) != .active {
            let notification = try await store.recordNotification(
                workspaceID: job.workspaceID, userID: user, channelID: channel.id, messageID: message.id, kind: kind,
                newID: ids.next(), nowMs: nowMs, coalesceWindowMs: configuration.coalesceWindowMs,
                describe: { count in Self.describe(count: count, kind: kind, channel: channel, author: author) })
            events.poke(job.workspaceID)
            // Do not disturb: stored, but no push.
            if presence.status(of: user) != .dnd {
                pushes.note(notification, workspaceID: job.workspaceID, nowMs: nowMs)
            }
        }
    }

    static func describe(count: Int, kind: NotificationKind, channel: SwitchboardCore.Channel, author: User?) -> String {
        if kind == .thread { return "\(count) new repl\(count == 1 ? "y" : "ies") in a thread in #\(channel.name)" }
        if kind == .message, !channel.kind.isDirect { return "\(count) new message\(count == 1 ? "" : "s") in #\(channel.name)" }
        switch channel.kind {
        case .dm:
            return "\(count) new message\(count == 1 ? "" : "s") from @\(author?.handle ?? "someone")"
        case .groupDM:
            return "\(count) new message\(count == 1 ? "" : "s") in \(channel.name)"
        case .public, .private:
            return "\(count) new mention\(count == 1 ? "" : "s") in #\(channel.name)"
        }
    }
}

/// How notifications behave.
public struct NotificationConfiguration: Sendable {
    /// URL that receives a POST per (coalesced) notification; nil for none. Default nil.
    public var pushWebhookURL: String?
    /// Notifications of one user in one channel within this window are one (ms). Default 60,000.
    public var coalesceWindowMs: UInt64 = 60_000
    /// `@channel` / `@here` notify at most this many members of a channel. Default 10,000.
    public var broadcastMemberLimit = 10_000
    /// Messages waiting to be examined; more are dropped (logged). Default 10,000.
    public var queueLimit = 10_000
    /// Pushes waiting to be sent; more are dropped (logged). Default 1,000.
    public var pushQueueLimit = 1_000
    /// Timeout of one push POST (ms). Default 5,000.
    public var pushTimeoutMs: Int64 = 5_000
    /// Whether DMs notify (besides mentions). Default true.
    public var notifyDirect = true

    public init(pushWebhookURL: String? = nil) {
        self.pushWebhookURL = pushWebhookURL
    }
}
