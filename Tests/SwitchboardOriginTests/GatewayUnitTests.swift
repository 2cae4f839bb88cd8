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

    /// The socket writer holds its queue and the queue holds the writer's wake-up: the queue
    /// must let go once it has ended, or every disconnected client's writer, channel and buffers
    /// stay in memory (the edge's RSS rose with every reconnect in the soak).
    @Test func anEndedQueueLetsGoOfItsConsumer() {
        final class Consumer: Sendable {
            let woken = Locked(0)
        }
        func attach(_ queue: OutboundQueue) -> () -> Consumer? {
            let consumer = Consumer()
            queue.setConsumer { consumer.woken.withLock { $0 += 1 } }
            return { [weak consumer] in consumer }
        }

        // Closed while the consumer was idle: woken once more to see the end.
        let idle = OutboundQueue(limitBytes: 100)
        let idleConsumer = attach(idle)
        #expect(idleConsumer()?.woken.withLock { $0 } == 1)
        idle.close()
        #expect(idleConsumer() == nil)
        guard case .ended = idle.takeBatch() else { Issue.record("a closed queue has ended"); return }

        // Closed while the consumer was busy writing (its socket failed): it is never back.
        let busy = OutboundQueue(limitBytes: 100)
        let busyConsumer = attach(busy)
        #expect(busy.enqueue([1]) == .enqueued)
        guard case .frames = busy.takeBatch() else { Issue.record("the frame is taken"); return }
        #expect(busyConsumer() != nil)
        busy.close()
        #expect(busyConsumer() == nil)

        // Finished: kept until the consumer has taken what was queued and seen the end.
        let finished = OutboundQueue(limitBytes: 100)
        let finishedConsumer = attach(finished)
        _ = finished.takeBatch()  // idle again
        #expect(finished.enqueue([2]) == .enqueued)
        finished.finish()
        #expect(finishedConsumer() != nil)
        guard case .frames(let last) = finished.takeBatch(), last.map(\.bytes) == [[2]] else {
            Issue.record("the queued frame is still delivered"); return
        }
        #expect(finishedConsumer() != nil)
        guard case .ended = finished.takeBatch() else { Issue.record("a drained, finished queue has ended"); return }
        #expect(finishedConsumer() == nil)
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
