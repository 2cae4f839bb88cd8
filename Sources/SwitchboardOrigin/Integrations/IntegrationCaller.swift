import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer
import SwitchboardLocking

/// Calls integrations' servers: signed JSON POSTs (``IntegrationSignature``) with a deadline.
/// Outgoing hooks are called off the posting path from a bounded queue (a full queue drops the
/// call, logged); the answer's `text`, if any, is posted back to the channel as the hook's bot.
public final class IntegrationCaller: Service, Sendable {
    public typealias Poster = @Sendable (_ bot: Caller, _ channelID: Snowflake, _ text: String) async throws -> Void

    struct Job: Sendable {
        var workspaceID: Snowflake
        var message: Message
    }

    private let store: any Store
    private let http: HTTPClient
    private let timeoutMs: Int64
    private let logger: Logger
    private let jobs: AsyncStream<Job>
    private let jobInput: AsyncStream<Job>.Continuation
    private let poster = Locked<Poster?>(nil)
    /// Each workspace's outgoing hooks, read at most once per `cacheMs` (other processes'
    /// changes show within it; this one's at once, by ``forget(_:)``), so that a message costs
    /// no store read.
    private let cache = Locked<[Snowflake: (readAtMs: UInt64, hooks: [Integration])]>([:])
    private let cacheMs: UInt64 = 2_000

    init(store: any Store, http: HTTPClient, timeoutMs: Int64 = 5_000, queueLimit: Int = 1_000, logger: Logger) {
        self.store = store
        self.http = http
        self.timeoutMs = timeoutMs
        self.logger = logger
        (jobs, jobInput) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(queueLimit))
    }

    /// The workspace's hooks changed here.
    func forget(_ workspaceID: Snowflake) { cache.withLock { $0[workspaceID] = nil } }

    private func outgoingHooks(_ workspaceID: Snowflake) async throws -> [Integration] {
        let nowMs = WallClock.nowMs()
        if let cached = cache.withLock({ $0[workspaceID] }), cached.readAtMs + cacheMs > nowMs { return cached.hooks }
        let hooks = try await store.integrations(workspaceID: workspaceID, kind: .outgoing)
        cache.withLock { $0[workspaceID] = (nowMs, hooks) }
        return hooks
    }

    /// How answers are posted (the chat, once it exists).
    func setPoster(_ post: @escaping Poster) { poster.withLock { $0 = post } }

    /// A committed message, for the workspace's outgoing hooks; never waits.
    func submit(workspaceID: Snowflake, message: Message) {
        if case .dropped = jobInput.yield(Job(workspaceID: workspaceID, message: message)) {
            logger.warning("outgoing webhook queue full; dropped", metadata: ["message_id": "\(message.id)"])
        }
    }

    /// POSTs `payload` to the integration; its answer (nil when it has no text). `unavailable`
    /// if the server cannot be reached in time or answers with an error.
    func call(_ integration: Integration, _ payload: IntegrationCall) async throws -> IntegrationAnswer? {
        let body = [UInt8](try JSON.encode(payload))
        let timestamp = WallClock.nowMs() / 1000
        var request = HTTPClientRequest(url: integration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Switchboard-Integrations")
        request.headers.add(name: "X-Switchboard-Timestamp", value: String(timestamp))
        request.headers.add(name: "X-Switchboard-Signature",
                            value: IntegrationSignature.sign(body: body, timestamp: timestamp, secret: integration.secret ?? ""))
        request.body = .bytes(ByteBuffer(bytes: body))
        let answer: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .milliseconds(timeoutMs))
            answer = try await response.body.collect(upTo: 64 << 10)
            guard (200..<300).contains(response.status.code) else {
                throw SwitchboardError(.unavailable, "\(integration.name) answered \(response.status.code)")
            }
        } catch let error as SwitchboardError {
            throw error
        } catch {
            throw SwitchboardError(.unavailable, "\(integration.name) did not answer in time: \(error)")
        }
        guard answer.readableBytes > 0 else { return nil }
        let decoded: IntegrationAnswer
        do {
            decoded = try JSON.decode(IntegrationAnswer.self, from: Data(buffer: answer))
        } catch {
            throw SwitchboardError(.unavailable, "\(integration.name) answered something other than {text, response_type}")
        }
        return (decoded.text ?? "").isEmpty ? nil : decoded
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await job in self.jobs {
                do {
                    try await self.process(job)
                } catch {
                    self.logger.warning("an outgoing webhook failed", metadata: ["message_id": "\(job.message.id)", "error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            self.jobInput.finish()
        }
    }

    private func process(_ job: Job) async throws {
        let hooks = try await outgoingHooks(job.workspaceID).filter { $0.triggers(on: job.message) }
        guard !hooks.isEmpty else { return }
        // Bots never trigger hooks: no loops between two of them.
        guard let author = try await store.user(job.message.authorID), !author.isBot else { return }
        for hook in hooks {
            let payload = IntegrationCall(kind: .outgoing, workspaceID: job.workspaceID, channelID: job.message.channelID,
                                          userID: job.message.authorID, message: job.message)
            guard let answer = try await call(hook, payload), let text = answer.text,
                  let post = poster.withLock({ $0 }) else { continue }
            try await post(Caller(userID: hook.botUserID, workspaceID: job.workspaceID), job.message.channelID, text)
        }
    }
}
