import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import SwitchboardLocking
import SwitchboardCore
import SwitchboardServer

/// Sends notifications to the push webhook, at most one per user and channel per window: the
/// first at once, the rest of the window as one push with the coalesced count at its end.
final class PushCoalescer: Sendable {
    /// What the webhook receives.
    struct Push: Codable, Sendable {
        var workspaceID: Snowflake
        var notification: UserNotification
        enum CodingKeys: String, CodingKey {
            case notification
            case workspaceID = "workspace_id"
        }
    }

    private struct Key: Hashable {
        var user: Snowflake
        var channel: Snowflake
    }

    private struct Slot {
        var lastSentMs: UInt64
        var pending: Push?
    }

    private let configuration: NotificationConfiguration
    private let http: HTTPClient
    private let logger: Logger
    private let slots = Locked<[Key: Slot]>([:])
    private let outbox: AsyncStream<Push>
    private let outboxInput: AsyncStream<Push>.Continuation

    init(configuration: NotificationConfiguration, http: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
        (outbox, outboxInput) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(configuration.pushQueueLimit))
    }

    func note(_ notification: UserNotification, workspaceID: Snowflake, nowMs: UInt64) {
        guard configuration.pushWebhookURL != nil else { return }
        let push = Push(workspaceID: workspaceID, notification: notification)
        let sendNow = slots.withLock { slots -> Bool in
            let key = Key(user: notification.userID, channel: notification.channelID)
            if let slot = slots[key], slot.lastSentMs + configuration.coalesceWindowMs > nowMs {
                slots[key]?.pending = push
                return false
            }
            slots[key] = Slot(lastSentMs: nowMs, pending: nil)
            return true
        }
        if sendNow { enqueue(push) }
    }

    /// Sends the coalesced pushes whose window has ended; forgets quiet slots.
    func flush(nowMs: UInt64) {
        let due = slots.withLock { slots -> [Push] in
            var due: [Push] = []
            for (key, slot) in slots where slot.lastSentMs + configuration.coalesceWindowMs <= nowMs {
                if let pending = slot.pending {
                    due.append(pending)
                    slots[key] = Slot(lastSentMs: nowMs, pending: nil)
                } else if slot.lastSentMs + 2 * configuration.coalesceWindowMs <= nowMs {
                    slots[key] = nil
                }
            }
            return due
        }
        for push in due { enqueue(push) }
    }

    private func enqueue(_ push: Push) {
        if case .dropped = outboxInput.yield(push) {
            logger.warning("push queue full; dropped", metadata: ["user_id": "\(push.notification.userID)"])
        }
    }

    private let stopped = ShutdownFlag()

    func stop() {
        stopped.set()
        outboxInput.finish()
    }

    /// Sends queued pushes one at a time, and flushes windows as they end.
    func run() async {
        guard let url = configuration.pushWebhookURL else { return }
        await withDiscardingTaskGroup { group in
            group.addTask {
                let step = Int(max(20, min(200, self.configuration.coalesceWindowMs / 4)))
                while !self.stopped.isSet && !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(step))
                    self.flush(nowMs: WallClock.nowMs())
                }
            }
            for await push in outbox {
                await send(push, to: url)
            }
        }
    }

    private func send(_ push: Push, to url: String) async {
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSON.encode(push)))
            let response = try await http.execute(request, timeout: .milliseconds(configuration.pushTimeoutMs))
            _ = try await response.body.collect(upTo: 64 << 10)
            if response.status.code >= 300 {
                logger.warning("push webhook refused", metadata: ["status": "\(response.status.code)"])
            }
        } catch {
            logger.warning("push webhook failed", metadata: ["error": "\(error)"])
        }
    }
}
