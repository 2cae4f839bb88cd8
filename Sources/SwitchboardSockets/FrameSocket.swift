import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import SwitchboardLocking
import WSCompression
import SwitchboardTLS

/// A client WebSocket of JSON text frames: send frames, read them one at a time, parsed as
/// `Frame`. Frames are not read from the socket faster than `next()` takes them.
public final class FrameSocket<Frame: Sendable>: Sendable {
    public struct Timeout: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "no frame arrived in time" }
    }

    public struct NotConnected: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "the gateway socket is not open" }
    }

    private struct State {
        var outbound: WebSocketOutboundWriter?
        var closeCode: UInt16?
        /// What ended the connection after it opened, if it failed rather than closed.
        var failure: (any Error)?
        var closed = false
    }

    private let mailbox: FrameMailbox<Frame>
    private let state = Locked(State())

    private init(mailboxCapacity: Int) {
        mailbox = FrameMailbox<Frame>(capacity: mailboxCapacity)
    }

    /// `ws://…` for `http://…`, `wss://…` for `https://…`.
    public static func webSocketURL(_ baseURL: String) -> String {
        if baseURL.hasPrefix("https://") { return "wss://" + baseURL.dropFirst("https://".count) }
        if baseURL.hasPrefix("http://") { return "ws://" + baseURL.dropFirst("http://".count) }
        return baseURL
    }

    /// Connects to `url` (`ws://host:port/gateway`, or `wss://` verified as `tls` says).
    /// Returns once the socket is open. Frames that `parse` rejects are logged and skipped;
    /// those it reads as nil carry nothing for the reader (a keepalive) and are dropped. At most
    /// `mailboxCapacity` frames wait to be taken; beyond that the socket is not read (the
    /// server sees a slow reader).
    /// `compress` offers permessage-deflate; `wire` counts the bytes read off the network.
    /// `silenceLimit` closes the socket when nothing has arrived for that long while it was
    /// being read (time spent waiting for room in the mailbox does not count): a peer that
    /// went silent without closing (a blackholed path, a frozen process) is noticed. The peer
    /// must send something more often (see ``SilenceWatchdog``).
    public static func connect(_ url: String, headers: [(String, String)] = [], tls: ClientTLS = .environment,
                               compress: Bool = false, wire: WireCounter? = nil, silenceLimit: Duration? = nil,
                               parse: @escaping @Sendable (Data) throws -> Frame?, mailboxCapacity: Int = 256,
                               logger: Logger = Logger(label: "switchboard.socket")) async throws -> FrameSocket<Frame> {
        let socket = FrameSocket<Frame>(mailboxCapacity: mailboxCapacity)
        let silence = silenceLimit.map { SilenceWatchdog(limit: $0) }
        var configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20,
                                                         extensions: compress ? [.perMessageDeflate(maxDecompressedFrameSize: 16 << 20)] : [])
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { configuration.additionalHeaders[field] = value }
        }
        let (opened, openedContinuation) = AsyncThrowingStream<Void, any Error>.makeStream()
        // The connection lives as long as the object, not a scope of the caller's: it runs in
        // its own task and ends when either side closes.
        Task {
            do {
                let closeFrame = try await WebSocketDialer.run(url: url, configuration: configuration, tls: tls, wire: wire,
                                                               silence: silence, logger: logger) { inbound, outbound, _ in
                    socket.state.withLock { $0.outbound = outbound }
                    openedContinuation.yield()
                    for try await message in inbound.messages(maxSize: 512 << 20) {
                        let data: Data
                        switch message {
                        case .text(let text): data = Data(text.utf8)
                        case .binary(let buffer): data = Data(buffer.readableBytesView)
                        }
                        let frame: Frame?
                        do {
                            frame = try parse(data)
                        } catch {
                            logger.warning("a frame that could not be read was skipped",
                                           metadata: ["error": "\(error)", "bytes": "\(data.count)"])
                            continue
                        }
                        guard let frame else { continue }
                        // A full mailbox stops the reading: the peer is not silent meanwhile.
                        silence?.pause()
                        await socket.mailbox.put(frame)
                        silence?.resume()
                    }
                }
                socket.state.withLock { $0.closeCode = closeFrame?.closeCode.rawCode }
            } catch {
                // Before the open this is the caller's error; after it, what ended the socket.
                socket.state.withLock { $0.failure = error }
                openedContinuation.finish(throwing: TLSFailure(error, server: url, trustOption: "--ca-file / SWITCHBOARD_CA_FILE") ?? error)
            }
            socket.state.withLock { $0.closed = true }
            openedContinuation.finish()
            socket.mailbox.finish()
        }
        for try await _ in opened { return socket }
        throw NotConnected()
    }


    /// Sends arbitrary bytes as a text frame (for tests of bad input).
    public func sendRaw(_ bytes: [UInt8]) async throws {
        guard let outbound = state.withLock({ $0.outbound }) else { throw NotConnected() }
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))))
    }

    /// The next frame, nil once the socket is closed; throws ``Timeout`` if none arrives in time.
    public func next(timeout: Duration = .seconds(10)) async throws -> Frame? {
        switch await mailbox.take(timeout: timeout) {
        case .element(let frame): return frame
        case .finished: return nil
        case .timedOut: throw Timeout()
        }
    }

    /// Reads every frame from now on with `handler`, called on the socket's reading task as
    /// each arrives (the frames already waiting first); returns once the socket has closed.
    /// For a reader that only tallies frames — a load generator's thousands of sockets — it
    /// saves each frame's hand-off to a second task and the timer of each ``next(timeout:)``.
    public func handEachFrame(to handler: @escaping @Sendable (Frame) -> Void) async {
        mailbox.handOff(to: handler)
        while true {
            switch await mailbox.take(timeout: .seconds(86_400)) {
            case .finished: return
            case .element(let frame): handler(frame)  // cannot happen: the hand-off took what waited
            case .timedOut: continue
            }
        }
    }

    /// A frame that has already arrived, without waiting (for batching).
    public func nextIfReady() -> Frame? { mailbox.poll() }

    /// Reads frames until one matches, returning it; the skipped ones are returned too.
    public func next(where matches: (Frame) -> Bool, timeout: Duration = .seconds(10)) async throws -> (frame: Frame, skipped: [Frame]) {
        var skipped: [Frame] = []
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let frame = try await next(timeout: deadline - ContinuousClock.now) else { throw NotConnected() }
            if matches(frame) { return (frame, skipped) }
            skipped.append(frame)
        }
    }

    /// Closes the socket (normal closure).
    public func close() async {
        try? await state.withLock { $0.outbound }?.close(.normalClosure, reason: nil)
    }

    public var isClosed: Bool { state.withLock { $0.closed } }
    /// The close code the server sent, once closed.
    public var closeCode: UInt16? { state.withLock { $0.closeCode } }
    /// Why the socket ended, once closed: the close code, or the error that ended it (the
    /// peer silent past the limit, a frame too large, a reset).
    public var endReason: String {
        state.withLock { state in
            if let failure = state.failure { return "\(failure)" }
            return state.closeCode.map { "closed with \($0)" } ?? "closed"
        }
    }
}

extension WebSocketErrorCode {
    var rawCode: UInt16 {
        var buffer = ByteBuffer()
        buffer.write(webSocketErrorCode: self)
        return buffer.readInteger(as: UInt16.self) ?? 0
    }
}
