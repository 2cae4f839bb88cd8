import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// A client's request body on its way to the origin. AsyncHTTPClient reads it on a task of its
/// own, which may still be waiting for the client's next bytes when the origin has already
/// answered (an early 403 or 413 to an upload). Hummingbird then reads the same stream to
/// skip what is left of the request, and two readers inside one stream trap the process
/// (NIOThrowingAsyncSequenceProducer: "only allow a single Iterator"). `settle()` ends the
/// forwarding and waits until no read is in flight, so only one reader is ever inside it.
final class ForwardedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    private let body: RequestBody
    private let state = NIOLockedValueBox(State())

    private struct State {
        var reading = false
        var settled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    init(_ body: RequestBody) { self.body = body }

    struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate var base: RequestBody.AsyncIterator
        fileprivate let owner: ForwardedBody

        mutating func next() async throws -> ByteBuffer? {
            guard owner.beginRead() else { return nil }
            defer { owner.endRead() }
            return try await base.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: body.makeAsyncIterator(), owner: self) }

    /// Once the origin has answered: no read starts after this, and one in flight is waited for.
    func settle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let inFlight = state.withLockedValue { state in
                state.settled = true
                if state.reading { state.waiter = continuation }
                return state.reading
            }
            if !inFlight { continuation.resume() }
        }
    }

    private func beginRead() -> Bool {
        state.withLockedValue { state in
            guard !state.settled else { return false }
            state.reading = true
            return true
        }
    }

    private func endRead() {
        let waiter = state.withLockedValue { state in
            state.reading = false
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
