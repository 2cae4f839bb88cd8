import SwitchboardCore
import SwitchboardServer

/// Puts a workspace's events on one edge feed's bounded queue: logged events from the
/// ``EventHub`` and ephemeral ones (typing, presence) from the ``SessionRegistry``. An edge
/// that falls too far behind overflows the queue and is disconnected; it resumes from its
/// cursor, so the origin never buffers for it without bound.
final class FeedSink: EventSink, EphemeralListener {
    let queue: OutboundQueue
    private let onOverflow: @Sendable () -> Void

    init(queue: OutboundQueue, onOverflow: @escaping @Sendable () -> Void) {
        self.queue = queue
        self.onOverflow = onOverflow
    }

    func deliver(_ events: [WorkspaceEvent]) -> Bool {
        for event in events {
            switch queue.enqueue(FeedMessage.event(event)) {
            case .enqueued: continue
            case .overflow:
                onOverflow()
                return false
            case .closed:
                return false
            }
        }
        return true
    }

    func ephemeral(_ type: EventType, payload: [UInt8]) {
        if queue.enqueue(FeedMessage.ephemeral(type, payload: payload)) == .overflow { onOverflow() }
    }
}
