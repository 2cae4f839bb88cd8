import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-Id")!
}

/// Gives every request an id and logs one line when it is answered. The id is the request's
/// `X-Request-Id` when it is a plausible one (set by a load balancer, or by the edge that
/// proxied it), else a new one; every log line about the request carries it as `request_id`,
/// the answer returns it, and the edge passes it on to the origin, so one request can be
/// followed through both logs.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Probes and scrapes come every few seconds: logged at debug only.
    static var quietPaths: Set<String> { ["/healthz", "/readyz", "/metrics"] }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = Self.accepted(request.headers[.requestID]) ?? Self.make()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        let started = ContinuousClock.now
        let level: Logger.Level = Self.quietPaths.contains(request.uri.path) ? .debug : .info
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = id
            log(request, status: response.status.code, since: started, level: level, context: context)
            return response
        } catch {
            // Errors are answered by the responder outside; the status is the error's.
            log(request, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: started, level: level, context: context)
            throw error
        }
    }

    func log(_ request: Request, status: Int, since started: ContinuousClock.Instant, level: Logger.Level, context: Context) {
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        // The path only: queries can hold signed URLs' signatures.
        context.logger.log(level: level, "request", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(status)",
            "duration_ms": "\(String(format: "%.1f", ms))",
        ])
    }

    /// 1–128 characters of letters, digits and `-._:`: anything else is replaced, so a client
    /// cannot write arbitrary text into the logs.
    public static func accepted(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
              value.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
                  || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") }) else { return nil }
        return value
    }

    /// 16 random bytes in hex.
    public static func make() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}

extension RequestContext {
    /// This request's id (``RequestLogMiddleware``).
    public var requestID: String? { logger[metadataKey: "request_id"]?.description }
}
