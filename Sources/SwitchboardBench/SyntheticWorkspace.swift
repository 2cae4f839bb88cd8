import SwitchboardCore

/// What a synthetic workspace looks like (see docs/benchmarks.md for the reasoning).
public struct WorkspaceShape: Codable, Sendable, Equatable {
    public var users: Int
    /// Named channels, `#general` included.
    public var channels: Int
    public var seed: UInt64
    /// Timeline messages per named channel (thread replies come on top).
    public var messagesPerChannel = 50
    /// Named channels an average user is in besides `#general`.
    public var channelsPerUser = 24
    /// DMs an average user takes part in.
    public var dmsPerUser = 10
    public var privateShare = 0.2

    public init(users: Int, channels: Int? = nil, seed: UInt64 = 1) {
        self.users = users
        self.channels = channels ?? max(8, users / 25)
        self.seed = seed
    }
}

/// A deterministic workspace: the same shape and seed give the same users, channels,
/// memberships and messages, made as import batches. Named channel sizes follow a Zipf law
/// (`#general` has everyone, a few channels are huge, most are small); members, authors,
/// mentions, threads and reactions are drawn from the seeded generator.
public struct SyntheticWorkspace: Sendable {
    public let shape: WorkspaceShape
    public let workspaceID: Snowflake
    public let generalID: Snowflake
    public let nowMs: UInt64
    public let userIDs: [Snowflake]
    /// Named channels; `[0]` is `#general`.
    public let channelIDs: [Snowflake]
    /// Members of each named channel by user index (`[0]`, `#general`, is everyone and left empty).
    let channelMembers: [[Int32]]
    /// Members of each DM / group DM by user index.
    let dmMembers: [[Int32]]
    let dmIDs: [Snowflake]

    /// Synthetic ids use the last worker number and times in the past, so they never meet the
    /// origin's own.
    static let worker: UInt64 = 1_023
    static let day: UInt64 = 86_400_000

    public init(shape: WorkspaceShape, workspaceID: Snowflake, generalID: Snowflake, nowMs: UInt64) {
        self.shape = shape
        self.workspaceID = workspaceID
        self.generalID = generalID
        self.nowMs = nowMs
        let n = shape.users
        userIDs = (0..<n).map { Self.id(at: nowMs - 60 * Self.day, index: $0) }

        var rng = SplitMix64(seed: shape.seed, stream: 1)
        let sizes = Self.zipfSizes(count: shape.channels - 1, total: n * shape.channelsPerUser, cap: max(5, n / 2),
                                   floor: min(5, n))
        var members: [[Int32]] = [[]]
        for size in sizes { members.append(rng.sample(size, from: n).map(Int32.init)) }
        channelMembers = members
        channelIDs = [generalID] + (1..<shape.channels).map { Self.id(at: nowMs - 45 * Self.day, index: $0) }

        // DMs: each user opens about half their share with random others; every 20th opens a group DM.
        var pairs = Set<UInt64>()
        var dms: [[Int32]] = []
        for user in 0..<n where n > 1 {
            for _ in 0..<(shape.dmsPerUser / 2) {
                let other = Int.random(in: 0..<n, using: &rng)
                guard other != user else { continue }
                let key = UInt64(min(user, other)) << 32 | UInt64(max(user, other))
                if pairs.insert(key).inserted { dms.append([Int32(min(user, other)), Int32(max(user, other))]) }
            }
            if user % 20 == 0, n > 4 {
                dms.append(([user] + rng.sample(3, from: n).filter { $0 != user }).map(Int32.init).sorted())
            }
        }
        dmMembers = dms.filter { Set($0).count == $0.count }
        dmIDs = dmMembers.indices.map { Self.id(at: nowMs - 45 * Self.day, index: shape.channels + $0) }
    }

    public var dmCount: Int { dmMembers.count }
    public var membershipCount: Int { shape.users + channelMembers.dropFirst().map(\.count).reduce(0, +) + dmMembers.map(\.count).reduce(0, +) }

    /// Members of the named channel at `index` (user indexes).
    public func members(ofChannel index: Int) -> [Int] {
        index == 0 ? Array(0..<shape.users) : channelMembers[index].map(Int.init)
    }

    static func id(at baseMs: UInt64, index: Int) -> Snowflake {
        Snowflake(timestampMs: baseMs + UInt64(index >> 12), worker: worker, sequence: UInt64(index & 4095))
    }

    /// Channel sizes `min(cap, max(floor, λ/k))` with λ chosen so they add up to about `total`.
    static func zipfSizes(count: Int, total: Int, cap: Int, floor: Int) -> [Int] {
        guard count > 0 else { return [] }
        func sizes(_ lambda: Double) -> [Int] {
            (1...count).map { min(cap, max(floor, Int(lambda / Double($0)))) }
        }
        var low = 0.0, high = Double(total) * 2
        for _ in 0..<60 {
            let mid = (low + high) / 2
            if sizes(mid).reduce(0, +) < total { low = mid } else { high = mid }
        }
        return sizes(high)
    }

    // MARK: Batches

    /// Makes the workspace as import batches of at most about `maxRows` rows each, in the
    /// order the import needs: users, channels, memberships, messages.
    public func forEachBatch(maxRows: Int = 20_000, _ body: (ImportBatch) async throws -> Void) async throws {
        var batch = ImportBatch()
        func flush(force: Bool = false) async throws {
            guard batch.rowCount >= maxRows || (force && batch.rowCount > 0) else { return }
            try await body(batch)
            batch = ImportBatch()
        }
        for index in 0..<shape.users {
            batch.users.append(user(at: index))
            try await flush()
        }
        try await flush(force: true)
        for index in 1..<shape.channels {
            batch.channels.append(namedChannel(at: index))
            try await flush()
        }
        for index in 0..<dmMembers.count {
            batch.channels.append(dm(at: index))
            try await flush()
        }
        try await flush(force: true)
        for conversation in 0..<(shape.channels + dmMembers.count) {
            let messages = self.messages(inConversation: conversation)
            batch.memberships += memberships(ofConversation: conversation, timeline: messages.filter { $0.threadID == nil })
            try await flush()
        }
        try await flush(force: true)
        for conversation in 0..<(shape.channels + dmMembers.count) {
            batch.messages += messages(inConversation: conversation)
            try await flush()
        }
        try await flush(force: true)
    }

    public func user(at index: Int) -> User {
        var rng = SplitMix64(seed: shape.seed, stream: 1_000_000 + UInt64(index))
        let first = Vocabulary.firstNames.randomElement(using: &rng)!
        let last = Vocabulary.lastNames.randomElement(using: &rng)!
        let handle = "\(first.lowercased()).\(last.lowercased().filter(\.isLetter)).\(index)"
        let status = rng.chance(0.3) ? Vocabulary.statuses.randomElement(using: &rng)! : ("", "")
        let created = nowMs - 60 * Self.day
        return User(id: userIDs[index], workspaceID: workspaceID, handle: handle, displayName: "\(first) \(last.prefix(1)).",
                    realName: "\(first) \(last)", title: Vocabulary.titles.randomElement(using: &rng)!,
                    email: "\(handle)@example.com", tz: Vocabulary.timeZones.randomElement(using: &rng)!,
                    statusText: status.0, statusEmoji: status.1,
                    avatar: Avatar(base: "https://avatars.example.com/\(workspaceID)/\(userIDs[index])"),
                    createdAtMs: created, updatedAtMs: created)
    }

    func namedChannel(at index: Int) -> Channel {
        let topic = Vocabulary.topics[index % Vocabulary.topics.count]
        let suffix = Vocabulary.suffixes[(index / Vocabulary.topics.count) % Vocabulary.suffixes.count]
        let isPrivate = Double(index % 10) < shape.privateShare * 10
        let creator = channelMembers[index].first.map(Int.init) ?? 0
        return Channel(id: channelIDs[index], workspaceID: workspaceID, name: "\(topic)-\(suffix)-\(index)",
                       kind: isPrivate ? .private : .public, topic: "All about \(topic)", creatorID: userIDs[creator],
                       createdAtMs: nowMs - 45 * Self.day)
    }

    func dm(at index: Int) -> Channel {
        let members = dmMembers[index].map { userIDs[Int($0)] }
        var channel = Channel(id: dmIDs[index], workspaceID: workspaceID,
                              name: dmMembers[index].map { "u\($0)" }.joined(separator: ", "),
                              kind: members.count == 2 ? .dm : .groupDM, creatorID: members[0],
                              createdAtMs: nowMs - 45 * Self.day)
        channel.memberIDs = members
        return channel
    }

    /// Conversation `k`: named channel `k`, or DM `k - channels`.
    private func conversationID(_ k: Int) -> Snowflake { k < shape.channels ? channelIDs[k] : dmIDs[k - shape.channels] }
    private func conversationMembers(_ k: Int) -> [Int] {
        k < shape.channels ? members(ofChannel: k) : dmMembers[k - shape.channels].map(Int.init)
    }

    /// Everyone has read the conversation up to a point: half all of it, the rest all but a few.
    func memberships(ofConversation k: Int, timeline: [Message]) -> [ImportMembership] {
        var rng = SplitMix64(seed: shape.seed, stream: 2_000_000 + UInt64(k))
        let channel = conversationID(k)
        return conversationMembers(k).map { user in
            let unread = timeline.isEmpty || rng.chance(0.5) ? 0 : Int.random(in: 1...min(10, timeline.count), using: &rng)
            let lastRead = unread == timeline.count ? nil : timeline[timeline.count - 1 - unread].id
            return ImportMembership(channelID: channel, userID: userIDs[user], lastReadID: lastRead)
        }
    }

    /// Named channels: `messagesPerChannel` over the last week, a tenth mentioning someone,
    /// every eighth starting a thread of 1–3 replies, a fifth with reactions. DMs: two messages.
    func messages(inConversation k: Int) -> [Message] {
        var rng = SplitMix64(seed: shape.seed, stream: 3_000_000 + UInt64(k))
        let channel = conversationID(k)
        let members = conversationMembers(k)
        let isDM = k >= shape.channels
        let count = isDM ? 2 : shape.messagesPerChannel
        let span = (isDM ? 2 : 7) * Self.day
        let step = span / UInt64(max(1, count))
        var result: [Message] = []
        func pick() -> Int { members[Int.random(in: 0..<members.count, using: &rng)] }
        for j in 0..<count {
            let timeMs = nowMs - span + UInt64(j) * step
            var content = Vocabulary.sentences.randomElement(using: &rng)!
            if rng.chance(0.1) { content += " <@\(userIDs[pick()])>" }
            if !isDM, k != 0, rng.chance(0.01) { content = "@here " + content }
            var message = Message(id: Self.id(at: timeMs, index: k), channelID: channel, authorID: userIDs[pick()],
                                  content: content, createdAtMs: timeMs)
            if rng.chance(0.2) {
                message.reactions = rng.sample(Int.random(in: 1...3, using: &rng), from: Vocabulary.emoji.count).map { e in
                    let reactors = rng.sample(Int.random(in: 1...4, using: &rng), from: members.count).map { userIDs[members[$0]] }
                    return Reaction(emoji: Vocabulary.emoji[e], count: reactors.count, me: false, userIDs: reactors)
                }
            }
            result.append(message)
            if !isDM, j % 8 == 0 {
                for r in 0..<Int.random(in: 1...3, using: &rng) {
                    let replyMs = timeMs + UInt64(r + 1) * 1_000
                    result.append(Message(id: Self.id(at: replyMs, index: k), channelID: channel, authorID: userIDs[pick()],
                                          content: Vocabulary.sentences.randomElement(using: &rng)!, createdAtMs: replyMs,
                                          threadID: message.id))
                }
            }
        }
        return result
    }
}
