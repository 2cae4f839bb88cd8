/// Protocol limits shared by servers and clients.
public enum Limits {
    /// Maximum characters (grapheme clusters) of a message.
    public static let maxContentCharacters = 4_000
    /// Maximum size of a JSON request body.
    public static let maxRequestBodyBytes = 1 << 20
    /// Maximum ids in `GET /api/users?ids=`.
    public static let maxUserIdsPerRequest = 200
    /// Messages per history page: default and maximum.
    public static let defaultHistoryLimit = 50
    public static let maxHistoryLimit = 100
    /// Members per page of `GET /api/channels/{id}/members`.
    public static let defaultMembersLimit = 100
    public static let maxMembersLimit = 1_000
    /// Users per page of `GET /api/users/search`.
    public static let defaultUserSearchLimit = 20
    public static let maxUserSearchLimit = 100
    /// Messages per page of `GET /api/search`.
    public static let defaultSearchLimit = 20
    public static let maxSearchLimit = 100
    /// Other members of a group DM (1 other = a DM).
    public static let maxGroupDMOthers = 8
    /// A nonce repeated by the same user within this window returns the first message.
    public static let nonceWindowMs: UInt64 = 5 * 60 * 1000
    public static let maxNonceLength = 128
    /// Messages in the focused channel of the full bootstrap / the working set.
    public static let fullBootstrapMessages = 50
    public static let workingSetMessages = 30
    public static let maxChannelNameLength = 80
    public static let maxTopicLength = 250
    public static let maxHandleLength = 40
    public static let maxProfileFieldLength = 200
    public static let maxEmojiLength = 64
    public static let maxWorkspaceNameLength = 80
}
