import Foundation
import LMDB
import SwitchboardCore

extension EdgeStore {
    /// The working set of PROTOCOL.md, from LMDB alone, in one read transaction: the caller,
    /// the workspace, the sidebar (channels and DMs with counts, no rosters), the focused
    /// channel's latest messages and the short profiles the first screen shows.
    ///
    /// `focus` is used if the caller is a member; otherwise `#general`, else their first channel.
    /// Nil when the user is unknown to this edge.
    func storedWorkingSet(_ ws: Snowflake, user userID: Snowflake, focus: Snowflake?,
                          messageLimit: Int = Limits.workingSetMessages) throws -> StoredWorkingSet? {
        try env.read { txn in
            // The caller and the workspace as stored: their JSON is what the client is sent.
            guard let me = try txn.get(users, Self.key(ws, userID)).map({ try FramedRecord.json($0) }),
                  let workspace = try txn.get(meta, Self.metaKey(ws, "w"))
            else { return nil }

            // From the stored heads and memberships: no JSON is decoded for the sidebar.
            var named: [ChannelSummary] = [], direct: [ChannelSummary] = []
            for (key, _) in try txn.prefixed(userChannels, Self.key(ws, userID)) {
                let channelID = Self.id(key, at: 2)
                guard let stored = try txn.get(channels, Self.key(ws, channelID)) else { continue }
                let channel = try ChannelRecord.head(ofStored: stored)
                let member = try txn.get(members, Self.key(ws, channelID, userID)).map { try Self.decode(MemberRecord.self, $0) }
                let preferences = member?.preferences.flatMap { $0 == .defaults(for: channel.kind) ? nil : $0 }
                let summary = ChannelSummary(id: channel.id, name: channel.name, kind: channel.kind,
                                             unreadCount: member?.unreadCount(in: channel) ?? 0,
                                             mentionCount: member?.mentionCount(in: channel) ?? 0,
                                             lastMessageID: channel.lastMessageID, memberCount: channel.memberCount,
                                             memberIDs: channel.memberIDs, preferences: preferences)
                if channel.kind.isDirect { direct.append(summary) } else { named.append(summary) }
            }

            let mine = named + direct
            let focusID = focus.flatMap { id in mine.contains { $0.id == id } ? id : nil }
                ?? (named.first { $0.name == "general" } ?? named.first ?? direct.first)?.id
            // Messages go as stored, their reactions written from the head; one with attachments
            // (or stored before heads) is decoded and shown to the caller.
            var messages: [StoredWorkingSet.Entry] = []
            if let focusID {
                for (_, stored) in try txn.prefixed(self.messages, Self.key(ws, focusID)).suffix(messageLimit) {
                    let (head, json) = try Message.head(ofStored: stored)
                    if let head, !head.hasAttachments, json.last == UInt8(ascii: "}") {
                        messages.append(.stored(head, json: json))
                    } else {
                        messages.append(.decoded(Self.present(try Self.decode(Message.self, stored), to: userID)))
                    }
                }
            }

            // Short profiles: DM partners, then the focused messages' authors and mentioned users.
            var wanted: [Snowflake] = []
            var seen: Set<Snowflake> = [userID]
            func want(_ id: Snowflake) { if seen.insert(id).inserted { wanted.append(id) } }
            for dm in direct { dm.memberIDs?.forEach(want) }
            for message in messages {
                want(message.authorID)
                message.mentions.forEach(want)
            }
            let profiles = try wanted.compactMap { id in
                try txn.get(users, Self.key(ws, id)).map { try User.short(ofStored: $0) }
            }
            return StoredWorkingSet(viewer: userID, me: me, workspace: workspace, channels: named, dms: direct, users: profiles,
                                    messages: messages, focusChannelID: focusID)
        }
    }

    /// The working set as a value (tests, tools): what ``storedWorkingSet(_:user:focus:messageLimit:)``
    /// writes, read back.
    public func workingSet(_ ws: Snowflake, user userID: Snowflake, focus: Snowflake?,
                           messageLimit: Int = Limits.workingSetMessages) throws -> WorkingSet? {
        try storedWorkingSet(ws, user: userID, focus: focus, messageLimit: messageLimit).map {
            try JSON.decode(WorkingSet.self, from: Data(try $0.json()))
        }
    }
}
