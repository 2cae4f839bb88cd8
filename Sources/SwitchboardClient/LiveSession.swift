import Foundation
import SwitchboardCore
import SwitchboardTLS

/// A gateway session that stays up, as a chat client needs it: heartbeats, and when the
/// server says `reconnect` (an edge draining) or the socket drops, it connects again — to
/// whatever `endpoint` picks then (the nearest edge that answers, typically) — resuming when
/// it returns to the same server, else identifying afresh and fetching the focused channel's
/// messages it missed meanwhile. Every message of the focused channel is reported once.
public final class LiveSession: Sendable {
    /// What the session reports, in order.
    public enum Update: Sendable {
        /// Connected (`ready` of a fresh session, or `resumed`), at this base URL.
        case connected(baseURL: String, ready: ServerFrame?)
        /// A message of the focused channel (from the working set, an event or a catch-up read).
        case message(Message)
        /// Any other event.
        case event(ServerFrame)
        /// The connection ended; connecting again.
        case reconnecting(reason: String)
    }

    public let token: String
    public let focus: Snowflake?
    /// Named at connect (`/gateway?workspace=ID`, `X-Switchboard-Workspace`) when set, for a
    /// load balancer that keeps a workspace on one edge.
    public let workspaceID: Snowflake?
    /// How `https://` / `wss://` servers are verified.
    public let tls: ClientTLS
    private let endpoint: @Sendable () async throws -> String

    /// - Parameter endpoint: the base URL (`http://host:port` or `https://…`) to connect to,
    ///   asked again before every reconnect.
    public init(token: String, focus: Snowflake?, workspaceID: Snowflake? = nil, tls: ClientTLS = .environment,
                endpoint: @escaping @Sendable () async throws -> String) {
        self.token = token
        self.focus = focus
        self.workspaceID = workspaceID
        self.tls = tls
        self.endpoint = endpoint
    }

    /// Runs until the task is cancelled, reporting through `onUpdate`.
    public func run(_ onUpdate: @Sendable (Update) async -> Void) async {
        var progress = Progress()
        var failures = 0
        while !Task.isCancelled {
            do {
                let baseURL = try await endpoint()
                let reason = try await serve(baseURL: baseURL, progress: &progress, onUpdate: onUpdate)
                failures = 0
                await onUpdate(.reconnecting(reason: reason))
            } catch {
                failures += 1
                await onUpdate(.reconnecting(reason: "\(error)"))
                // 0.25 s, 0.5 s, 1 s ... up to 5 s between failed attempts.
                try? await Task.sleep(for: .milliseconds(min(5_000, 125 << min(failures, 6))))
            }
        }
    }

    /// Where the client is: which session it can resume, and the last focused message it has.
    private struct Progress {
        var resumable: (baseURL: String, sessionID: String, s: UInt64)?
        var lastMessageID: Snowflake?
        var recent = RecentIDs(capacity: 1_000)
    }

    /// One connection: until the server asks to reconnect or the socket ends.
    private func serve(baseURL: String, progress: inout Progress, onUpdate: @Sendable (Update) async -> Void) async throws -> String {
        let gatewayURL = Self.gatewayURL(baseURL, workspaceID: workspaceID)
        var socket: GatewaySocket
        var heartbeatMs: UInt64 = 30_000
        var catchUpFrom: Snowflake?
        if let resumable = progress.resumable, resumable.baseURL == baseURL,
           let resumed = try? await GatewaySocket.resume(gatewayURL, token: token, sessionID: resumable.sessionID, s: resumable.s, tls: tls) {
            socket = resumed.socket
            await onUpdate(.connected(baseURL: baseURL, ready: nil))
            for frame in resumed.replayed { await report(frame, progress: &progress, onUpdate: onUpdate) }
        } else {
            let session = try await GatewaySocket.identify(gatewayURL, token: token, focus: focus, tls: tls)
            socket = session.socket
            heartbeatMs = UInt64(max(1_000, session.hello.heartbeatIntervalMs))
            progress.resumable = (baseURL, session.hello.sessionID, 0)
            await onUpdate(.connected(baseURL: baseURL, ready: session.ready))
            catchUpFrom = progress.lastMessageID
            let latest = ((try? session.ready.payload(ReadyPayload<FocusedMessages>.self).bootstrap)?.messages ?? [])
                .filter { $0.channelID == focus }
            // The bootstrap holds the latest messages; if they reach back to the last one seen
            // there is no gap. Else the gap is read first — it runs up to now, so the latest
            // ones come after it, in order (reporting them first would put newer messages
            // before the older ones the read finds).
            if let first = latest.first, let last = catchUpFrom, first.id <= last { catchUpFrom = nil }
            if let cursor = catchUpFrom, let focus {
                try await readMissed(in: focus, after: cursor, baseURL: baseURL, progress: &progress, onUpdate: onUpdate)
            }
            for message in latest { await reportMessage(message, progress: &progress, onUpdate: onUpdate) }
        }

        let interval = heartbeatMs
        let heartbeats = Task { [socket] in
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(Int(interval / 2)))
                try await socket.send(.heartbeat(.init(s: 0)))
            }
        }
        defer { heartbeats.cancel() }
        // Cancelling the task closes the socket, which ends the wait for the next frame.
        let closer = socket
        return try await withTaskCancellationHandler {
            while let frame = try await socket.next(timeout: .milliseconds(Int(heartbeatMs * 2))) {
                if frame.op == "reconnect" {
                    await socket.close()
                    return (try? frame.payload(GatewayFrame.Reconnect.self).reason) ?? "reconnect"
                }
                await report(frame, progress: &progress, onUpdate: onUpdate)
                if Task.isCancelled { break }
            }
            return "closed (\(socket.closeCode.map(String.init) ?? "no code"))"
        } onCancel: {
            Task { await closer.close() }
        }
    }

    private func report(_ frame: ServerFrame, progress: inout Progress, onUpdate: @Sendable (Update) async -> Void) async {
        guard frame.op == "event", let s = frame.s else { return }
        progress.resumable?.s = s
        if frame.t == EventType.messageCreated.rawValue, let message = try? frame.payload(Message.self), message.channelID == focus {
            await reportMessage(message, progress: &progress, onUpdate: onUpdate)
        } else {
            await onUpdate(.event(frame))
        }
    }

    private func reportMessage(_ message: Message, progress: inout Progress, onUpdate: @Sendable (Update) async -> Void) async {
        guard progress.recent.insert(message.id) else { return }
        if message.threadID == nil || message.alsoToChannel {
            progress.lastMessageID = max(progress.lastMessageID ?? message.id, message.id)
        }
        await onUpdate(.message(message))
    }

    /// Reads the focused channel's messages after the last one seen (a fresh session's
    /// working set shows only the latest few).
    private func readMissed(in channel: Snowflake, after start: Snowflake, baseURL: String, progress: inout Progress,
                            onUpdate: @Sendable (Update) async -> Void) async throws {
        var client = SwitchboardClient(baseURL: baseURL, token: token, tls: tls)
        client.workspaceID = workspaceID
        var cursor = start
        while true {
            let page = try await client.messages(in: channel, after: cursor, limit: 100)
            for message in page.messages { await reportMessage(message, progress: &progress, onUpdate: onUpdate) }
            guard page.messages.count == 100, let last = page.messages.last, last.id > cursor else { return }
            cursor = last.id
        }
    }

    /// `ws://host:port/gateway` for `http://host:port`, `wss://…` for `https://…`.
    /// With `?workspace=ID` when `workspaceID` is given.
    public static func gatewayURL(_ baseURL: String, workspaceID: Snowflake? = nil) -> String {
        SwitchboardClient.webSocketURL(baseURL) + "/gateway" + (workspaceID.map { "?workspace=\($0)" } ?? "")
    }
}

/// What both bootstraps (the origin's full one, an edge's working set) have: the focused
/// channel's latest messages.
struct FocusedMessages: Decodable, Sendable {
    var messages: [Message]
}

/// The ids seen most recently, to report each message once.
struct RecentIDs: Sendable {
    let capacity: Int
    private var set: Set<Snowflake> = []
    private var order: [Snowflake] = []

    init(capacity: Int) { self.capacity = capacity }

    /// False if already seen.
    mutating func insert(_ id: Snowflake) -> Bool {
        guard set.insert(id).inserted else { return false }
        order.append(id)
        if order.count > capacity {
            set.remove(order.removeFirst())
        }
        return true
    }
}
