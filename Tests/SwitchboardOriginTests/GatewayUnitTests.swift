import Foundation
import SwitchboardLocking
import SwitchboardCore
import SwitchboardServer
@testable import SwitchboardOrigin
import Testing

/// The gateway's pure parts, without sockets.
@Suite struct GatewayUnitTests {
    @Test func outboundQueueOverflowsByBytesAndCloses() async {
        let queue = OutboundQueue(limitBytes: 10)
        #expect(queue.enqueue(Array(repeating: 1, count: 6)) == .enqueued)
        #expect(queue.enqueue(Array(repeating: 2, count: 4)) == .enqueued)
        #expect(queue.queuedBytes == 10)
        #expect(queue.enqueue([3]) == .overflow)
        #expect(queue.isClosed && queue.queuedBytes == 0)
        #expect(queue.enqueue([4]) == .closed)
        #expect(await queue.next()?.bytes == nil)
    }

    @Test func outboundQueueHandsFramesToAWaitingWriter() async {
        let queue = OutboundQueue(limitBytes: 100)
        async let first = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        #expect(queue.enqueue([7, 7]) == .enqueued)
        #expect(await first?.bytes == [7, 7])
        queue.close()
        #expect(await queue.next()?.bytes == nil)
    }

    @Test func floodGuardRefusesThenDisconnects() {
        var guardian = FloodGuard(limit: 3, windowMs: 1_000)
        #expect((0..<3).map { _ in guardian.admit(nowMs: 0) } == [.admit, .admit, .admit])
        #expect(guardian.admit(nowMs: 400) == .refuse(retryAfterMs: 600))
        for _ in 0..<5 { _ = guardian.admit(nowMs: 500) }  // frames 5...9
        #expect(guardian.admit(nowMs: 500) == .disconnect)
        #expect(guardian.admit(nowMs: 1_000) == .admit)  // a new window
    }

    @Test func presenceGraceHidesQuickReconnects() {
        let clock = Locked<UInt64>(1_000)
        let published = Locked<[PresenceStatus]>([])
        let tracker = PresenceTracker(graceMs: 30_000, now: { clock.withLock { $0 } }) { _, change in
            published.withLock { $0.append(change.status) }
        }
        let user = Snowflake(7), workspace = Snowflake(1)
        tracker.connection(user: user, workspaceID: workspace, delta: 1)
        tracker.connection(user: user, workspaceID: workspace, source: "edge-a", delta: 1)
        tracker.connection(user: user, workspaceID: workspace, delta: -1)
        #expect(tracker.status(of: user) == .active)  // still connected through the edge
        tracker.replaceSource("edge-a", workspaceID: workspace, counts: [:])
        clock.withLock { $0 += 29_000 }
        tracker.sweep()
        tracker.connection(user: user, workspaceID: workspace, delta: 1)  // back within the grace period
        #expect(published.withLock { $0 } == [.active])
        try? tracker.choose(.away, user: user, workspaceID: workspace)
        tracker.connection(user: user, workspaceID: workspace, delta: -1)
        clock.withLock { $0 += 29_999 }
        tracker.sweep()
        #expect(tracker.status(of: user) == .away)
        clock.withLock { $0 += 1 }
        tracker.sweep()
        #expect(published.withLock { $0 } == [.active, .away, .offline])
        #expect(throws: SwitchboardError.self) { try tracker.choose(.offline, user: user, workspaceID: workspace) }
    }

    @Test func gatewayCommandsRoundTrip() throws {
        let commands: [GatewayCommand] = [
            .identify(.init(token: "t", focusChannelID: Snowflake(5))), .resume(.init(token: "t", sessionID: "s", s: 9)),
            .heartbeat(.init(s: 3)), .focus(.init(channelID: nil)), .presenceSubscribe(.init(userIDs: [Snowflake(1)])),
            .typing(.init(channelID: Snowflake(2))), .send(.init(channelID: Snowflake(2), content: "hi", nonce: "n")),
            .read(.init(channelID: Snowflake(2), messageID: Snowflake(3))), .setPresence(.init(status: .dnd)),
        ]
        for command in commands { #expect(try GatewayCommand.decode(command.encoded()) == command) }
        let frame = try ServerFrame(Data(GatewayFrame.event(s: 4, type: .messageDeleted,
                                                             payload: Array(#"{"id":"1","channel_id":"2"}"#.utf8))))
        #expect(frame.op == "event" && frame.s == 4 && frame.eventType == .messageDeleted)
        #expect(try frame.payload(MessageDeletion.self) == MessageDeletion(id: Snowflake(1), channelID: Snowflake(2), threadID: nil))
    }
}
