import SwitchboardCore

/// A working set as read from LMDB, written to its JSON without `JSONEncoder` and without
/// decoding what a client is sent as stored: the caller's profile, the workspace, and messages
/// (stored in their compact form, their reactions in a head from which the caller's `me` is
/// written). Only a message with attachments (whose URLs are signed per request) is decoded.
struct StoredWorkingSet: Sendable {
    /// One of the focused channel's messages.
    enum Entry: Sendable {
        case stored(MessageHead, json: ArraySlice<UInt8>)
        case decoded(Message)

        var id: Snowflake {
            switch self {
            case .stored(let head, _): head.id
            case .decoded(let message): message.id
            }
        }

        var authorID: Snowflake {
            switch self {
            case .stored(let head, _): head.authorID
            case .decoded(let message): message.authorID
            }
        }

        var mentions: [Snowflake] {
            switch self {
            case .stored(let head, _): head.mentions
            case .decoded(let message): message.mentions
            }
        }
    }

    /// The caller.
    var viewer: Snowflake
    /// The caller's and the workspace's stored JSON.
    var me: [UInt8]
    var workspace: [UInt8]
    var channels: [ChannelSummary]
    var dms: [ChannelSummary]
    var users: [UserShort]
    /// The focused channel's latest messages, ascending.
    var messages: [Entry]
    var focusChannelID: Snowflake?

    /// The JSON of ``WorkingSet`` (the compact form: what `JSON.encodeCompact` of the same
    /// working set writes, key order aside). `prepare` is applied to each decoded message
    /// before it is written: the edge signs attachment URLs there.
    func json(preparing prepare: (Message) -> Message = { $0 }) throws -> [UInt8] {
        var json = JSONWriter(capacity: 24 * 1024)
        json.raw(#"{"self":"#)
        json.raw(me)
        json.raw(#","workspace":"#)
        json.raw(workspace)
        json.raw(#","channels":["#)
        for (index, channel) in channels.enumerated() {
            if index > 0 { json.raw(",") }
            try channel.write(to: &json)
        }
        json.raw(#"],"dms":["#)
        for (index, dm) in dms.enumerated() {
            if index > 0 { json.raw(",") }
            try dm.write(to: &json)
        }
        json.raw(#"],"users":["#)
        for (index, user) in users.enumerated() {
            if index > 0 { json.raw(",") }
            user.write(to: &json)
        }
        json.raw(#"],"messages":["#)
        for (index, message) in messages.enumerated() {
            if index > 0 { json.raw(",") }
            switch message {
            case .stored(let head, let stored): write(stored, reactions: head.reactions, to: &json)
            case .decoded(let message): try json.encoded(prepare(message))
            }
        }
        json.raw("]")
        if let focusChannelID {
            json.raw(#","focus_channel_id":"#)
            json.id(focusChannelID)
        }
        json.raw("}")
        return json.bytes
    }

    /// A stored message's JSON (an object without `reactions`), with its reactions as the caller sees them.
    private func write(_ stored: ArraySlice<UInt8>, reactions: [Reaction], to json: inout JSONWriter) {
        guard !reactions.isEmpty else { return json.raw(stored) }
        json.raw(stored.dropLast())  // its closing brace
        json.raw(#","reactions":["#)
        for (index, reaction) in reactions.enumerated() {
            if index > 0 { json.raw(",") }
            reaction.presented(to: viewer).write(to: &json)
        }
        json.raw("]}")
    }
}
