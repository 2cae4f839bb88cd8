import Testing
import SwitchboardCore
import SwitchboardRouting

/// The router alone: sessions are keys, events are values, time is a number.
@Suite struct WorkspaceRouterTests {
    let a1 = SessionKey(1), a2 = SessionKey(2), b1 = SessionKey(3), c1 = SessionKey(4), d1 = SessionKey(5)
    let ws = Snowflake(1)
    let alice = Snowflake(10), bob = Snowflake(11), carol = Snowflake(12), dave = Snowflake(13)
    let general = Snowflake(100), random = Snowflake(101), secret = Snowflake(102)

    /// alice (a1 viewing #general, a2 viewing #random), bob (b1 viewing #random), carol (c1,
    /// no focus), all in #general and #random; dave (d1) only in #random.
    func router(mode: DeliveryMode = .workingSet) -> WorkspaceRouter {
        var router = WorkspaceRouter()
        router.insert(RoutedSession(id: a1, userID: alice, mode: mode, channels: [general, random], focus: general))
        router.insert(RoutedSession(id: a2, userID: alice, mode: mode, channels: [general, random], focus: random))
        router.insert(RoutedSession(id: b1, userID: bob, mode: mode, channels: [general, random], focus: random))
        router.insert(RoutedSession(id: c1, userID: carol, mode: mode, channels: [general, random], focus: nil))
        router.insert(RoutedSession(id: d1, userID: dave, mode: mode, channels: [random], focus: random))
        return router
    }

    func message(_ id: UInt64, in channel: Snowflake, by author: Snowflake, thread: Snowflake? = nil,
                 alsoToChannel: Bool = false, mentions: [Snowflake] = []) -> EventContent {
        .messageCreated(Message(id: Snowflake(id), channelID: channel, authorID: author, content: "m", createdAtMs: 0,
                                threadID: thread, alsoToChannel: alsoToChannel, mentions: mentions))
    }

    func channel(_ id: Snowflake, _ kind: ChannelKind, creator: Snowflake, members: [Snowflake]? = nil) -> Channel {
        Channel(id: id, workspaceID: ws, name: "c\(id)", kind: kind, creatorID: creator, createdAtMs: 0, memberIDs: members)
    }

    func user(_ id: Snowflake) -> User {
        User(id: id, workspaceID: ws, handle: "u\(id)", displayName: "U", avatar: Avatar(base: "x"), createdAtMs: 0, updatedAtMs: 0)
    }

    // MARK: Messages

    @Test func aMessageGoesToItsViewersAndEveryOtherMemberSessionGetsABadge() {
        var router = router()
        let routing = router.route(message(1, in: general, by: bob), nowMs: 1_000)
        #expect(Set(routing.recipients) == [a1])
        #expect(routing.badgeChannel == general && Set(routing.badges) == [a2, b1, c1])  // not d1: not a member
        // Within the badge interval the badge is held, then due once.
        let second = router.route(message(2, in: general, by: bob), nowMs: 1_100)
        #expect(second.recipients == [a1] && second.badges.isEmpty)
        #expect(router.dueBadges(nowMs: 1_200).isEmpty)
        #expect(router.dueBadges(nowMs: 1_250).mapValues(Set.init) == [general: [a2, b1, c1]])
        #expect(router.dueBadges(nowMs: 2_000).isEmpty)
    }

    @Test func profilesComeBeforeTheFirstMessageThatNeedsThemOnce() {
        var router = router()
        router.markProfilesKnown(a1, [bob])
        let first = router.route(message(1, in: general, by: bob, mentions: [carol, dave]), nowMs: 0)
        #expect(first.profilesFirst == [a1: [carol, dave]])
        let again = router.route(message(2, in: general, by: carol, mentions: [dave]), nowMs: 0)
        #expect(again.recipients == [a1] && again.profilesFirst.isEmpty)
        // A full client holds every profile: it is never sent any.
        var full = self.router(mode: .everything)
        #expect(full.route(message(3, in: general, by: bob, mentions: [dave]), nowMs: 0).profilesFirst.isEmpty)
    }

    @Test func aReplyGoesToTheThreadsFollowersWhoAreMembersAndChangesNoBadge() {
        var router = router()
        let reply = message(5, in: general, by: carol, thread: Snowflake(1))
        let routing = router.route(reply, threadFollowers: [bob, dave, carol], nowMs: 0)
        // bob follows (both his sessions? he has one); carol's session too; dave is not a member of #general.
        #expect(Set(routing.recipients) == [a1, b1, c1])
        #expect(routing.badges.isEmpty && routing.badgeChannel == nil)
        // Sent to the channel as well: the other members' badges change.
        let broadcast = router.route(message(6, in: general, by: carol, thread: Snowflake(1), alsoToChannel: true),
                                     threadFollowers: [bob], nowMs: 0)
        #expect(Set(broadcast.recipients) == [a1, b1] && Set(broadcast.badges) == [a2, c1])
    }

    @Test func editsDeletionsAndReactionsGoWhereTheMessageWent() {
        var router = router()
        let update = MessageUpdate(Message(id: Snowflake(1), channelID: random, authorID: bob, content: "e", createdAtMs: 0))
        #expect(Set(router.route(.messageUpdated(update), nowMs: 0).recipients) == [a2, b1, d1])
        let deletion = MessageDeletion(id: Snowflake(2), channelID: general, threadID: Snowflake(1))
        #expect(Set(router.route(.messageDeleted(deletion), threadFollowers: [carol], nowMs: 0).recipients) == [a1, c1])
        let reaction = ReactionChange(channelID: general, messageID: Snowflake(1), userID: bob, emoji: "x")
        #expect(router.route(.reactionAdded(reaction), nowMs: 0).recipients == [a1])
        #expect(router.route(.reactionRemoved(reaction), nowMs: 0).recipients == [a1])
        // A full client gets every change in each of its channels.
        var full = self.router(mode: .everything)
        #expect(Set(full.route(.reactionAdded(reaction), nowMs: 0).recipients) == [a1, a2, b1, c1])
    }

    @Test func focusMovesTheMessagesAndOnlyToAMembersChannel() throws {
        var router = router()
        try router.setFocus(c1, to: general)
        #expect(Set(router.route(message(1, in: general, by: bob), nowMs: 0).recipients) == [a1, c1])
        #expect(throws: SwitchboardError.self) { try router.setFocus(d1, to: general) }
        try router.setFocus(a1, to: nil)
        let routing = router.route(message(2, in: general, by: bob), nowMs: 10_000)
        #expect(routing.recipients == [c1] && routing.badges.contains(a1))
    }

    @Test func aFullClientGetsEveryMessageOfItsChannelsAndNoBadges() {
        var router = router(mode: .everything)
        let routing = router.route(message(1, in: general, by: bob), nowMs: 0)
        #expect(Set(routing.recipients) == [a1, a2, b1, c1] && routing.badges.isEmpty)
        let reply = router.route(message(2, in: random, by: bob, thread: Snowflake(1)), nowMs: 0)
        #expect(Set(reply.recipients) == [a1, a2, b1, c1, d1])
    }

    // MARK: Membership

    @Test func aJoinerHearsOfItsJoinAndThenOfTheChannel() {
        var router = router()
        let joined = router.route(.memberJoined(MembershipChange(channelID: general, userID: dave, memberCount: 5)), nowMs: 0)
        #expect(Set(joined.recipients) == [a1, a2, b1, c1, d1])
        #expect(router.isMember(d1, of: general))
        #expect(router.route(message(1, in: general, by: bob), nowMs: 0).badges.contains(d1))
    }

    @Test func aLeaverHearsOfItsLeaveAndThenNothingMore() {
        var router = router()
        let left = router.route(.memberLeft(MembershipChange(channelID: random, userID: bob, memberCount: 3)), nowMs: 0)
        #expect(Set(left.recipients) == [a1, a2, b1, c1, d1])
        #expect(!router.isMember(b1, of: random) && router.session(b1)?.focus == nil)
        let after = router.route(message(1, in: random, by: alice), nowMs: 0)
        #expect(!after.recipients.contains(b1) && !after.badges.contains(b1))
        let typing = router.route(.typingStarted(TypingStarted(channelID: random, userID: alice, expiresAtMs: 10)), nowMs: 0)
        #expect(!typing.recipients.contains(b1))
    }

    @Test func privateChannelsAndDMsReachOnlyTheirMembers() {
        var router = router()
        let created = router.route(.channelCreated(channel(secret, .private, creator: alice)), nowMs: 0)
        #expect(Set(created.recipients) == [a1, a2])
        let dm = Snowflake(103)
        let opened = router.route(.channelCreated(channel(dm, .dm, creator: bob, members: [bob, dave])), nowMs: 0)
        #expect(Set(opened.recipients) == [b1, d1])
        #expect(Set(router.route(message(1, in: dm, by: bob), nowMs: 0).badges) == [b1, d1])
        #expect(Set(router.route(.channelUpdated(channel(secret, .private, creator: alice)), nowMs: 0).recipients) == [a1, a2])
        // A public channel is announced to every session.
        let open = router.route(.channelCreated(channel(Snowflake(104), .public, creator: carol)), nowMs: 0)
        #expect(open.recipients.count == 5)
        // A channel nobody here belongs to reaches nobody.
        #expect(router.route(message(2, in: Snowflake(999), by: carol), nowMs: 0).isEmpty)
    }

    // MARK: Users, typing, presence

    @Test func aUsersOwnEventsReachOnlyTheirSessions() {
        var router = router()
        let read = ReadState(channelID: general, lastReadID: Snowflake(1), unreadCount: 0, mentionCount: 0, lastMessageID: nil)
        #expect(Set(router.route(.readUpdated(read, readerID: alice), nowMs: 0).recipients) == [a1, a2])
        let notification = UserNotification(id: Snowflake(7), userID: bob, channelID: general, messageID: Snowflake(1),
                                            kind: .mention, count: 1, text: "hi", createdAtMs: 0, updatedAtMs: 0)
        #expect(router.route(.notificationCreated(notification), nowMs: 0).recipients == [b1])
    }

    @Test func profileChangesReachTheSessionsHoldingTheProfile() {
        var router = router()
        router.markProfilesKnown(b1, [carol])
        #expect(Set(router.route(.userUpdated(user(carol)), nowMs: 0).recipients) == [b1, c1])
        #expect(router.route(.userCreated(user(Snowflake(20))), nowMs: 0).recipients.isEmpty)
        var full = self.router(mode: .everything)
        #expect(full.route(.userUpdated(user(carol)), nowMs: 0).recipients.count == 5)
        #expect(full.route(.userCreated(user(Snowflake(20))), nowMs: 0).recipients.count == 5)
    }

    @Test func typingReachesViewersButNotTheTypistAndNeverOnceExpired() {
        for mode in [DeliveryMode.workingSet, .everything] {
            var router = router(mode: mode)
            let typing = TypingStarted(channelID: random, userID: bob, expiresAtMs: 5_000)
            #expect(Set(router.route(.typingStarted(typing), nowMs: 1_000).recipients) == [a2, d1])
            #expect(router.route(.typingStarted(typing), nowMs: 5_000).recipients.isEmpty)
        }
    }

    @Test func presenceReachesWatchersAndAReconnectReportsOnlyWhatChanged() {
        var router = router()
        #expect(router.setPresenceSubscriptions(c1, to: [alice, bob]) ==
                [PresenceChange(userID: alice, status: .offline), PresenceChange(userID: bob, status: .offline)])
        let change = router.route(.presenceChanged(PresenceChange(userID: alice, status: .active)), nowMs: 0)
        #expect(change.recipients == [c1] && router.presence == [alice: .active])
        let report = router.replacePresence([alice: .active, bob: .away, dave: .active])
        #expect(report.map(\.0) == [PresenceChange(userID: bob, status: .away)] && report.first?.1 == [c1])
        _ = router.setPresenceSubscriptions(c1, to: [bob])
        #expect(router.route(.presenceChanged(PresenceChange(userID: alice, status: .offline)), nowMs: 0).recipients.isEmpty)
        #expect(router.presence[alice] == nil)
    }

    // MARK: Sessions

    @Test func aSessionTakenOutKeepsItsStateAndLeavesNoTrace() throws {
        var router = router()
        _ = router.setPresenceSubscriptions(b1, to: [alice])
        _ = router.route(.memberJoined(MembershipChange(channelID: secret, userID: bob, memberCount: 1)), nowMs: 0)
        let removed = router.remove(b1)
        let taken = try #require(removed)
        #expect(taken.channels == [general, random, secret] && taken.presenceSubscriptions == [alice])
        #expect(!router.route(message(1, in: random, by: alice), nowMs: 0).recipients.contains(b1))
        #expect(router.route(.presenceChanged(PresenceChange(userID: alice, status: .active)), nowMs: 0).recipients.isEmpty)
        // Put back (as the origin does after a catch-up), it is routed as before.
        router.insert(taken)
        #expect(router.route(message(2, in: random, by: alice), nowMs: 0).recipients.contains(b1))
        #expect(router.route(message(3, in: secret, by: alice), nowMs: 0).badges == [b1])
        #expect(router.count == 5)
    }

    @Test func replayingEventsAStateAlreadyHoldsChangesNothing() {
        // The origin's catch-up may route a membership event twice for one session.
        var router = router()
        let events: [EventContent] = [
            .memberJoined(MembershipChange(channelID: secret, userID: carol, memberCount: 1)),
            .memberLeft(MembershipChange(channelID: general, userID: carol, memberCount: 3)),
        ]
        for event in events { _ = router.route(event, nowMs: 0) }
        let once = router.session(c1)?.channels
        for event in events { _ = router.route(event, nowMs: 0) }
        #expect(router.session(c1)?.channels == once && once == [random, secret])
    }
}
