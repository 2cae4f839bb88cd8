/// The SQL each store speaks: the same rule, two spellings of a boolean.
enum SQLDialect {
    case sqlite, postgres

    func isTrue(_ column: String) -> String { self == .sqlite ? "\(column) = 1" : column }
    func isFalse(_ column: String) -> String { self == .sqlite ? "\(column) = 0" : "NOT \(column)" }
}

/// What a channel's timeline holds and what counts as unread or as a mention — each rule once,
/// rendered in a store's dialect. (An edge keeps the same counts incrementally from events:
/// `MemberRecord`.)
enum CountingRules {
    /// A channel's timeline: its top-level messages and the replies also sent to the channel, not deleted.
    /// `m` is the messages table's alias, or "" for none.
    static func inTimeline(_ dialect: SQLDialect, _ m: String = "") -> String {
        let p = m.isEmpty ? "" : m + "."
        return "\(dialect.isFalse(p + "deleted")) AND (\(p)thread_id IS NULL OR \(dialect.isTrue(p + "also_to_channel")))"
    }

    /// A message `m` of `channel` unread by `reader`, whose read position is `lastRead`: in the
    /// timeline, after the read position, written by someone else.
    static func unread(_ dialect: SQLDialect, m: String, channel: String, reader: String, lastRead: String) -> String {
        "\(m).channel_id = \(channel) AND \(m).id > \(lastRead) AND \(m).author_id <> \(reader) AND \(inTimeline(dialect, m))"
    }

    /// Whether message `m` mentions `reader`: by name, or with `@here` / `@channel` / `@everyone`.
    static func mentions(_ dialect: SQLDialect, m: String, reader: String) -> String {
        "(\(dialect.isTrue(m + ".mentions_here")) OR \(dialect.isTrue(m + ".mentions_channel"))"
            + " OR EXISTS (SELECT 1 FROM mentions x WHERE x.user_id = \(reader) AND x.message_id = \(m).id))"
    }
}
