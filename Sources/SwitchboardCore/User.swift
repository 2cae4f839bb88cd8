/// A user's full profile, as `GET /api/users/{id}` and the full bootstrap return it.
public struct User: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var workspaceID: Snowflake
    public var handle: String
    public var displayName: String
    public var realName: String
    public var title: String
    public var email: String
    public var tz: String
    public var statusText: String
    public var statusEmoji: String
    public var avatar: Avatar
    public var isBot: Bool
    /// Deactivated: their tokens are refused and their sessions closed; their messages stay.
    public var deleted: Bool
    public var role: Role
    /// Tokens issued before this instant are refused (a revocation, or a deactivation).
    public var sessionsValidFromMs: UInt64
    /// Whether others see how far this user has read (read receipts). Default true.
    public var sharesReadReceipts: Bool
    public var createdAtMs: UInt64
    public var updatedAtMs: UInt64

    public init(id: Snowflake, workspaceID: Snowflake, handle: String, displayName: String,
                realName: String = "", title: String = "", email: String = "", tz: String = "UTC",
                statusText: String = "", statusEmoji: String = "", avatar: Avatar,
                isBot: Bool = false, deleted: Bool = false, role: Role = .member, sessionsValidFromMs: UInt64 = 0,
                sharesReadReceipts: Bool = true, createdAtMs: UInt64, updatedAtMs: UInt64) {
        self.sharesReadReceipts = sharesReadReceipts
        self.role = role
        self.sessionsValidFromMs = sessionsValidFromMs
        self.id = id
        self.workspaceID = workspaceID
        self.handle = handle
        self.displayName = displayName
        self.realName = realName
        self.title = title
        self.email = email
        self.tz = tz
        self.statusText = statusText
        self.statusEmoji = statusEmoji
        self.avatar = avatar
        self.isBot = isBot
        self.deleted = deleted
        self.createdAtMs = createdAtMs
        self.updatedAtMs = updatedAtMs
    }

    /// Whether a token issued at `issuedAtMs` still speaks for this user (``TokenHolder``).
    public func acceptsToken(issuedAtMs: UInt64) -> Bool {
        tokenHolder.acceptsToken(issuedAtMs: issuedAtMs)
    }

    public var tokenHolder: TokenHolder {
        TokenHolder(deleted: deleted, sessionsValidFromMs: sessionsValidFromMs, createdAtMs: createdAtMs)
    }

    /// The short form used by working sets: `{id, handle, display_name, image_48}`.
    public var short: UserShort {
        UserShort(id: id, handle: handle, displayName: displayName, image48: avatar.image48)
    }

    enum CodingKeys: String, CodingKey {
        case id, handle, title, email, tz, avatar, deleted, role
        case sessionsValidFromMs = "sessions_valid_from_ms"
        case sharesReadReceipts = "shares_read_receipts"
        case workspaceID = "workspace_id"
        case displayName = "display_name"
        case realName = "real_name"
        case statusText = "status_text"
        case statusEmoji = "status_emoji"
        case isBot = "is_bot"
        case createdAtMs = "created_at_ms"
        case updatedAtMs = "updated_at_ms"
    }
}

extension User {
    /// Profiles written before roles and revocations existed decode as members never revoked.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(Snowflake.self, forKey: .id), workspaceID: try c.decode(Snowflake.self, forKey: .workspaceID),
                  handle: try c.decode(String.self, forKey: .handle), displayName: try c.decode(String.self, forKey: .displayName),
                  realName: try c.decode(String.self, forKey: .realName), title: try c.decode(String.self, forKey: .title),
                  email: try c.decode(String.self, forKey: .email), tz: try c.decode(String.self, forKey: .tz),
                  statusText: try c.decode(String.self, forKey: .statusText),
                  statusEmoji: try c.decode(String.self, forKey: .statusEmoji), avatar: try c.decode(Avatar.self, forKey: .avatar),
                  isBot: try c.decode(Bool.self, forKey: .isBot), deleted: try c.decode(Bool.self, forKey: .deleted),
                  role: try c.decodeIfPresent(Role.self, forKey: .role) ?? .member,
                  sessionsValidFromMs: try c.decodeIfPresent(UInt64.self, forKey: .sessionsValidFromMs) ?? 0,
                  sharesReadReceipts: try c.decodeIfPresent(Bool.self, forKey: .sharesReadReceipts) ?? true,
                  createdAtMs: try c.decode(UInt64.self, forKey: .createdAtMs), updatedAtMs: try c.decode(UInt64.self, forKey: .updatedAtMs))
    }
}

/// Avatar image URLs at the five sizes clients draw.
public struct Avatar: Codable, Sendable, Equatable {
    public var image24: String
    public var image48: String
    public var image72: String
    public var image192: String
    public var image512: String

    /// Derives the five sizes from one base URL: `{base}/24.png` ... `{base}/512.png`.
    public init(base: String) {
        image24 = "\(base)/24.png"
        image48 = "\(base)/48.png"
        image72 = "\(base)/72.png"
        image192 = "\(base)/192.png"
        image512 = "\(base)/512.png"
    }

    enum CodingKeys: String, CodingKey {
        case image24 = "image_24"
        case image48 = "image_48"
        case image72 = "image_72"
        case image192 = "image_192"
        case image512 = "image_512"
    }
}

/// What decides whether a user's tokens are accepted (an edge keeps it where it reads it on
/// every request, without the whole profile).
public struct TokenHolder: Sendable, Equatable {
    public var deleted: Bool
    public var sessionsValidFromMs: UInt64
    public var createdAtMs: UInt64

    public init(deleted: Bool, sessionsValidFromMs: UInt64, createdAtMs: UInt64) {
        self.deleted = deleted
        self.sessionsValidFromMs = sessionsValidFromMs
        self.createdAtMs = createdAtMs
    }

    /// Whether a token issued at `issuedAtMs` still speaks for this user: the one rule the origin
    /// and every edge apply to tokens they verified.
    public func acceptsToken(issuedAtMs: UInt64) -> Bool {
        !deleted && issuedAtMs >= sessionsValidFromMs
    }
}

/// The short profile of the working set.
public struct UserShort: Codable, Sendable, Equatable, Hashable {
    public var id: Snowflake
    public var handle: String
    public var displayName: String
    public var image48: String

    public init(id: Snowflake, handle: String, displayName: String, image48: String) {
        self.id = id
        self.handle = handle
        self.displayName = displayName
        self.image48 = image48
    }

    enum CodingKeys: String, CodingKey {
        case id, handle
        case displayName = "display_name"
        case image48 = "image_48"
    }

    /// What `encode(to:)` writes, without `JSONEncoder`.
    public func write(to json: inout JSONWriter) {
        json.raw(#"{"id":"#)
        json.id(id)
        json.raw(#","handle":"#)
        json.string(handle)
        json.raw(#","display_name":"#)
        json.string(displayName)
        json.raw(#","image_48":"#)
        json.string(image48)
        json.raw("}")
    }
}

/// Presence of a user as others see it.
public enum PresenceStatus: String, Codable, Sendable, CaseIterable {
    case active, away, dnd, offline
}
