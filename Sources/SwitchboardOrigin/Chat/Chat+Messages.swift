import SwitchboardAuth
import SwitchboardCore

extension Chat {
    /// Validates, rate-limits and stores a message. `created == false` for a nonce replay
    /// (which does not count against the rate limit: it stores nothing).
    public func postMessage(_ caller: Caller, channelID: Snowflake,
                            _ request: PostMessageRequest) async throws -> (message: Message, created: Bool) {
        // A message may be just files: then its text may be empty.
        let hasFiles = !(request.attachmentIDs ?? []).isEmpty
        let typed = hasFiles && request.content.allSatisfy(\.isWhitespace) ? "" : try Validation.content(request.content)
        let content = try await resolvingHandles(typed, workspaceID: caller.workspaceID)
        let nonce = try request.nonce.map(Validation.nonce)
        let files = try await attachmentsToPost(caller, request.attachmentIDs)
        let mentions = Mentions(parsing: content)
        if mentions.isBroadcast { try await requireBroadcastAllowed(caller, mentions, in: try await visibleChannel(caller, channelID)) }
        let nowMs = now()
        // The rate limit is checked in memory first; a retried send it stops still gets its
        // first answer (a replay stores nothing).
        do {
            try rateLimiter.acquire(user: caller.userID, channel: channelID, nowMs: nowMs)
        } catch {
            if let nonce, let first = try await store.nonceReplay(userID: caller.userID, nonce: nonce, nowMs: nowMs) {
                return (attachments.signer.signed(first, nowMs: nowMs), false)
            }
            throw error
        }
        // Membership, the nonce and the thread are checked by the store, in the write: no read
        // before it on the common path. A send that stores nothing gives its slot back.
        let draft = MessageDraft(ids: ids, channelID: channelID, authorID: caller.userID, content: content,
                                 nonce: nonce, threadID: request.threadID, alsoToChannel: request.alsoToChannel ?? false,
                                 mentions: mentions, nowMs: nowMs, attachments: files)
        let result: (message: Message, created: Bool)
        do {
            result = try await committing(caller.workspaceID) { try await store.postMessage(draft) }
        } catch {
            rateLimiter.refund(user: caller.userID, channel: channelID, nowMs: nowMs)
            throw error
        }
        if !result.created { rateLimiter.refund(user: caller.userID, channel: channelID, nowMs: nowMs) }
        presence.activity(user: caller.userID, workspaceID: caller.workspaceID)
        if result.created {
            notifier?.submit(workspaceID: caller.workspaceID, message: result.message)
            unfurler?.submit(workspaceID: caller.workspaceID, message: result.message)
            integrations?.submit(workspaceID: caller.workspaceID, message: result.message)
        }
        return (attachments.signer.signed(result.message, nowMs: nowMs), result.created)
    }

    /// `@channel`, `@here` and `@everyone` in a channel above the configured size: admins only.
    func requireBroadcastAllowed(_ caller: Caller, _ mentions: Mentions, in channel: Channel) async throws {
        guard mentions.isBroadcast, channel.memberCount > broadcastMentionsAdminOnlyAbove,
              !(try await account(caller).role.isAdmin) else { return }
        throw SwitchboardError.forbidden("only owners and admins can notify everyone in a channel of more than "
                                         + "\(broadcastMentionsAdminOnlyAbove) members")
    }

    public func notifications(_ caller: Caller, after: Snowflake?, limit: Int?) async throws -> [UserNotification] {
        let limit = try Self.pageSize(limit, default: 50, max: 200)
        return try await store.notifications(userID: caller.userID, after: after, limit: limit)
    }

    /// A history page. With `reactors`, reactions also list who reacted (edges use this to
    /// serve one fetched page to all their members).
    public func messages(_ caller: Caller, channelID: Snowflake, before: Snowflake?, after: Snowflake?,
                         limit: Int?, reactors: Bool = false) async throws -> MessagesResponse {
        try await requireMember(caller, channelID)
        let limit = try Self.pageSize(limit, default: Limits.defaultHistoryLimit, max: Limits.maxHistoryLimit)
        let page = try await store.messages(channelID: channelID, viewer: caller.userID, before: before, after: after, limit: limit)
        let messages = reactors ? try await store.withReactors(page.messages) : page.messages
        return MessagesResponse(messages: attachments.signer.signed(messages, nowMs: now()), hasMore: page.hasMore)
    }

    public func replies(_ caller: Caller, channelID: Snowflake, threadID: Snowflake, after: Snowflake?,
                        limit: Int?) async throws -> MessagesResponse {
        try await requireMember(caller, channelID)
        let limit = try Self.pageSize(limit, default: Limits.defaultHistoryLimit, max: Limits.maxHistoryLimit)
        let page = try await store.replies(channelID: channelID, threadID: threadID, viewer: caller.userID, after: after, limit: limit)
        return MessagesResponse(messages: attachments.signer.signed(page.messages, nowMs: now()), hasMore: page.hasMore)
    }

    public func editMessage(_ caller: Caller, channelID: Snowflake, messageID: Snowflake,
                            _ request: EditMessageRequest) async throws -> Message {
        let content = try await resolvingHandles(try Validation.content(request.content), workspaceID: caller.workspaceID)
        let channel = try await writableChannel(caller, channelID)
        guard channel.isMember == true else { throw SwitchboardError.notAMember }
        let mentions = Mentions(parsing: content)
        try await requireBroadcastAllowed(caller, mentions, in: channel)
        let edited = try await committing(caller.workspaceID) {
            try await store.editMessage(channelID: channelID, id: messageID, editorID: caller.userID, content: content,
                                        mentions: mentions, nowMs: now())
        }
        return attachments.signer.signed(edited, nowMs: now())
    }

    /// The author, the channel's creator, or an owner or admin (moderating).
    public func deleteMessage(_ caller: Caller, channelID: Snowflake, messageID: Snowflake) async throws {
        try await requireMember(caller, channelID)
        let moderator = try await account(caller).role.isAdmin
        try await committing(caller.workspaceID) {
            try await store.deleteMessage(channelID: channelID, id: messageID, byUserID: caller.userID, moderator: moderator)
        }
    }

    public func setReaction(_ caller: Caller, channelID: Snowflake, messageID: Snowflake, emoji: String,
                            present: Bool) async throws {
        let emoji = try Validation.emoji(emoji)
        let channel = try await writableChannel(caller, channelID)
        guard channel.isMember == true else { throw SwitchboardError.notAMember }
        try reactionRateLimiter.acquire(user: caller.userID, channel: channelID, nowMs: now())
        try await committing(caller.workspaceID) {
            try await store.setReaction(channelID: channelID, messageID: messageID, userID: caller.userID, emoji: emoji,
                                        present: present, nowMs: now())
        }
    }

    /// Moves the caller's read position; their receipt goes to the channel's viewers if the
    /// channel is small enough and they share receipts.
    public func markRead(_ caller: Caller, channelID: Snowflake, messageID: Snowflake) async throws {
        let channel = try await visibleChannel(caller, channelID)
        guard channel.isMember == true else { throw SwitchboardError.notAMember }
        let receipt = receiptsKept(in: channel) ? try await account(caller).sharesReadReceipts : false
        try await committing(caller.workspaceID) {
            try await store.markRead(channelID: channelID, userID: caller.userID, messageID: messageID, receipt: receipt)
        }
    }

    /// Who has read how far, in a DM or a channel small enough to keep receipts.
    public func readReceipts(_ caller: Caller, channelID: Snowflake) async throws -> [ReadReceipt] {
        let channel = try await visibleChannel(caller, channelID)
        guard channel.isMember == true else { throw SwitchboardError.notAMember }
        guard receiptsKept(in: channel) else {
            throw SwitchboardError.badRequest("read receipts are kept for DMs and channels of at most \(readReceiptsMaxMembers) members")
        }
        return try await store.readReceipts(channelID: channelID)
    }

    private func receiptsKept(in channel: Channel) -> Bool {
        channel.kind.isDirect || channel.memberCount <= readReceiptsMaxMembers
    }

    /// Search with Slack's operators (``SearchQuery``); `channelID` / `authorID` narrow like
    /// `in:` / `from:`. Pages newest first by `before` (a message id).
    public func search(_ caller: Caller, query: String, channelID: Snowflake?, authorID: Snowflake?,
                       before: Snowflake? = nil, limit: Int?) async throws -> SearchResponse {
        guard query.count <= Limits.maxContentCharacters else { throw SwitchboardError.badRequest("q is too long") }
        let parsed = try SearchQuery(parsing: query)
        guard !parsed.isEmpty || channelID != nil || authorID != nil else { throw SwitchboardError.badRequest("q must not be empty") }
        var filter = SearchFilter()
        filter.words = parsed.words
        filter.fromMs = parsed.fromMs
        filter.untilMs = parsed.untilMs
        filter.hasLink = parsed.hasLink
        filter.hasFile = parsed.hasFile
        filter.beforeID = before
        if let channelID {
            try await requireMember(caller, channelID)
            filter.channelID = channelID
        }
        if let name = parsed.channelName {
            guard let channel = try await store.channels(ofUser: caller.userID).first(where: { $0.name == name.lowercased() })
            else { throw SwitchboardError.notFound("channel #\(name) among yours") }
            guard filter.channelID == nil || filter.channelID == channel.id else { return SearchResponse(messages: [], snippets: [], nextBefore: nil) }
            filter.channelID = channel.id
        }
        filter.authorID = authorID
        if let handle = parsed.userHandle {
            guard let user = try await store.user(workspaceID: caller.workspaceID, handle: handle) else {
                throw SwitchboardError.notFound("user @\(handle)")
            }
            guard filter.authorID == nil || filter.authorID == user.id else { return SearchResponse(messages: [], snippets: [], nextBefore: nil) }
            filter.authorID = user.id
        }
        let limit = try Self.pageSize(limit, default: Limits.defaultSearchLimit, max: Limits.maxSearchLimit)
        filter.limit = limit + 1
        let found = try await store.search(workspaceID: caller.workspaceID, viewer: caller.userID, filter)
        let page = attachments.signer.signed(Array(found.prefix(limit)), nowMs: now())
        return SearchResponse(messages: page, snippets: page.map { SearchSnippet.make($0.content, words: parsed.words) },
                              nextBefore: found.count > limit ? page.last?.id : nil)
    }
}
