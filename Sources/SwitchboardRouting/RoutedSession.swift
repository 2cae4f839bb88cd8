import SwitchboardCore
import Synchronization

/// How the router names a session: a number its owner draws once per session (``next()``),
/// not the session's protocol id. Routing hashes and compares keys several times per recipient,
/// and with 36-character string ids that hashing and the copies' reference counting were most
/// of the router's time per message. Concrete, not generic, so that the router's code is
/// compiled for it once.
public struct SessionKey: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    private static let drawn = Atomic<UInt64>(0)

    /// A key no other session of this process has.
    public static func next() -> SessionKey {
        SessionKey(drawn.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    public var description: String { "session#\(rawValue)" }
}

/// What a session's client keeps, and so what it must be sent.
public enum DeliveryMode: Sendable, Equatable {
    /// A client that loaded the whole workspace (the origin's gateway after the full
    /// bootstrap): every event its user may see.
    case everything
    /// A client holding a working set (the edge's gateway): a channel's messages and their
    /// changes only while it looks at the channel (or follows the thread), an unread badge
    /// otherwise, and the profiles a message needs sent just before it.
    case workingSet
}

/// A session as the router knows it: whose it is and what it looks at. Everything the
/// router decides from is here; the socket and its queue stay with the owner.
public struct RoutedSession: Sendable {
    public let id: SessionKey
    public let userID: Snowflake
    public let mode: DeliveryMode
    /// When the session's token was issued: a revocation after it ends the session.
    public let tokenIssuedAtMs: UInt64
    /// The sign-in the session's token belongs to (`sid`): signing out of it ends the session.
    public let tokenSessionID: String
    /// The channels the user belongs to.
    public internal(set) var channels: Set<Snowflake>
    /// The channel on screen; always one of `channels`.
    public internal(set) var focus: Snowflake?
    public internal(set) var presenceSubscriptions: Set<Snowflake> = []
    /// Users whose profile the client has (working set, earlier prefetches).
    public internal(set) var knownProfiles: Set<Snowflake>
    var badges: BadgeCoalescer

    /// `focus` is kept only if the user is a member of it.
    public init(id: SessionKey, userID: Snowflake, mode: DeliveryMode, channels: Set<Snowflake>, focus: Snowflake?,
                knownProfiles: Set<Snowflake> = [], tokenIssuedAtMs: UInt64 = 0, tokenSessionID: String = "",
                badgeIntervalMs: UInt64 = 250) {
        self.id = id
        self.tokenSessionID = tokenSessionID
        self.tokenIssuedAtMs = tokenIssuedAtMs
        self.userID = userID
        self.mode = mode
        self.channels = channels
        self.focus = focus.flatMap { channels.contains($0) ? $0 : nil }
        self.knownProfiles = knownProfiles.union([userID])
        badges = BadgeCoalescer(intervalMs: badgeIntervalMs)
    }

    /// Whether the session gets `message.created` in `channel` whole (else a badge at most).
    func views(_ channel: Snowflake) -> Bool { mode == .everything || focus == channel }
}

/// Where one event goes, as decided by ``WorkspaceRouter/route(_:threadFollowers:nowMs:)``.
public struct Routing: Sendable {
    /// Sessions that get the event itself, each once.
    public var recipients: [SessionKey] = []
    /// Profiles a recipient is sent, as `user.updated`, just before the event (the author and
    /// mentioned users of a message it had not been sent yet).
    public var profilesFirst: [SessionKey: [Snowflake]] = [:]
    /// Sessions whose unread badge for `badgeChannel` goes now (the owner reads the counts).
    public var badges: [SessionKey] = []
    public var badgeChannel: Snowflake?
    /// Sessions whose token no longer speaks for their user (deactivated, or tokens revoked):
    /// the owner closes them (4101) after delivering the event.
    public var revoked: [SessionKey] = []

    public init() {}

    public var isEmpty: Bool { recipients.isEmpty && badges.isEmpty && revoked.isEmpty }
}
