import Foundation
import SwitchboardAuth
import SwitchboardCore

extension Chat {
    /// Rows per statement while streaming a full bootstrap: a 32,000-user workspace is 16
    /// user pages and a few membership pages, not a statement per user.
    static let bootstrapUserPage = 2_000
    static let bootstrapMembershipPage = 20_000
    /// Bytes gathered before a chunk is handed to the sink.
    static let bootstrapChunkBytes = 64 * 1024

    /// Streams `GET /api/rtm.start`, the legacy full bootstrap (PROTOCOL.md), as JSON chunks:
    /// `{self, workspace, users, presence, channels (with full rosters), dms, messages}`.
    /// Everything that can fail on the caller's input is checked before the first byte.
    public func writeFullBootstrap(_ caller: Caller, focus: Snowflake?,
                                   to sink: ([UInt8]) async throws -> Void) async throws {
        let me = try await me(caller)
        guard let workspace = try await store.workspaceWithCounts(caller.workspaceID) else {
            throw SwitchboardError.notFound("workspace")
        }
        let channels = try await store.visibleChannels(workspaceID: caller.workspaceID, viewer: caller.userID)
        let dms = try await store.channels(ofUser: caller.userID).filter { $0.kind.isDirect }
        let focusID = try await fullBootstrapFocus(caller, requested: focus, channels: channels, dms: dms)
        var messages: [Message] = []
        if let focusID {
            messages = attachments.signer.signed(try await store.messages(
                channelID: focusID, viewer: caller.userID, before: nil, after: nil, limit: Limits.fullBootstrapMessages).messages)
        }

        let encoder = JSON.encoder()
        var out = ChunkBuffer(chunkBytes: Self.bootstrapChunkBytes)
        func write(_ bytes: some Sequence<UInt8>) async throws {
            if let chunk = out.append(bytes) { try await sink(chunk) }
        }
        func write(_ string: String) async throws { try await write(string.utf8) }
        try await write("{\"self\":")
        try await write(encoder.encode(me))
        try await write(",\"workspace\":")
        try await write(encoder.encode(workspace))
        if let focusID { try await write(",\"focus_channel_id\":\"\(focusID)\"") }

        // Users, page by page; their ids are kept for the presence map that follows.
        try await write(",\"users\":[")
        var userIDs: [Snowflake] = []
        userIDs.reserveCapacity(workspace.memberCount ?? 0)
        var cursor: Snowflake?
        while true {
            let page = try await store.usersPage(workspaceID: caller.workspaceID, after: cursor, limit: Self.bootstrapUserPage)
            guard let last = page.last else { break }
            if !userIDs.isEmpty { try await write(",") }
            try await write(encoder.encode(page).dropFirst().dropLast())
            userIDs.append(contentsOf: page.map(\.id))
            cursor = last.id
            if page.count < Self.bootstrapUserPage { break }
        }
        try await write("],\"presence\":{")
        for (index, status) in presence.statuses(of: userIDs).enumerated() {
            try await write("\(index == 0 ? "" : ",")\"\(userIDs[index])\":\"\(status.rawValue)\"")
        }

        // Channels with complete rosters, streamed in the same (channel, user) order as the store pages.
        try await write("},\"channels\":[")
        var rosters = RosterCursor(store: store, channelIDs: channels.map(\.id), pageSize: Self.bootstrapMembershipPage)
        for (index, channel) in channels.enumerated() {
            if index > 0 { try await write(",") }
            // The encoded channel ends with "}": reopen it to append the roster.
            try await write(encoder.encode(channel).dropLast())
            try await write(",\"members\":[")
            var first = true
            while let member = try await rosters.next(in: channel.id) {
                try await write(first ? "\"\(member)\"" : ",\"\(member)\"")
                first = false
            }
            try await write("]}")
        }
        try await write("],\"dms\":")
        try await write(encoder.encode(dms.map { dm -> Channel in
            var dm = dm
            dm.members = dm.memberIDs
            return dm
        }))
        try await write(",\"messages\":")
        try await write(encoder.encode(messages))
        try await write("}")
        if let chunk = out.drain() { try await sink(chunk) }
    }

    /// The requested focus if the caller may read it, else `#general`, else their first channel.
    private func fullBootstrapFocus(_ caller: Caller, requested: Snowflake?, channels: [Channel],
                                    dms: [Channel]) async throws -> Snowflake? {
        if let requested {
            try await requireMember(caller, requested)
            return requested
        }
        let mine = channels.filter { $0.isMember == true }
        return (mine.first { $0.name == "general" } ?? mine.first ?? dms.first)?.id
    }
}

/// Gathers small writes into chunks of about `chunkBytes`.
struct ChunkBuffer {
    let chunkBytes: Int
    private var buffer: [UInt8] = []

    init(chunkBytes: Int) {
        self.chunkBytes = chunkBytes
        buffer.reserveCapacity(chunkBytes + 4096)
    }

    /// Appends; returns a full chunk to send when the buffer has reached `chunkBytes`.
    mutating func append(_ bytes: some Sequence<UInt8>) -> [UInt8]? {
        buffer.append(contentsOf: bytes)
        return buffer.count >= chunkBytes ? drain() : nil
    }

    /// Whatever is buffered, if anything.
    mutating func drain() -> [UInt8]? {
        guard !buffer.isEmpty else { return nil }
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer
    }
}

/// Walks the memberships of many channels in (channel, user) order, a page at a time.
struct RosterCursor {
    let store: any Store
    let channelIDs: [Snowflake]
    let pageSize: Int
    private var page: [(channel: Snowflake, user: Snowflake)] = []
    private var index = 0
    private var exhausted = false

    init(store: any Store, channelIDs: [Snowflake], pageSize: Int) {
        self.store = store
        self.channelIDs = channelIDs
        self.pageSize = pageSize
        exhausted = channelIDs.isEmpty
    }

    /// The next member of `channel`, or nil once the cursor has moved past it.
    mutating func next(in channel: Snowflake) async throws -> Snowflake? {
        while true {
            if index < page.count {
                let row = page[index]
                if row.channel < channel { index += 1; continue }
                guard row.channel == channel else { return nil }
                index += 1
                return row.user
            }
            guard !exhausted else { return nil }
            let after = page.last
            page = try await store.membershipsPage(channelIDs: channelIDs, after: after, limit: pageSize)
            index = 0
            if page.count < pageSize { exhausted = true }
            if page.isEmpty { return nil }
        }
    }
}
