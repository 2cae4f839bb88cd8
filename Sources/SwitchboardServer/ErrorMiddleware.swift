import Foundation
import Hummingbird
import Logging
import NIOCore
import SwitchboardCore

/// Turns every error into PROTOCOL.md's error JSON. Unknown errors become a logged 500
/// without internal details.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let mapped = ErrorResponses.map(error)
            if mapped.code == .internalError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))",
                                                                  "path": "\(request.uri.path)"])
            }
            return ErrorResponses.response(for: mapped)
        }
    }
}

/// PROTOCOL.md's error JSON for any error.
public enum ErrorResponses {
    public static func map(_ error: any Error) -> SwitchboardError {
        switch error {
        case let error as SwitchboardError:
            return error
        case let error as DecodingError:
            return .badRequest(error.readableDescription)
        case is NIOTooManyBytesError:
            return SwitchboardError(.payloadTooLarge, "request body is larger than \(Limits.maxRequestBodyBytes) bytes")
        case let error as HTTPError:
            let message = error.body ?? error.status.reasonPhrase
            switch error.status.code {
            case 400: return .badRequest(message)
            case 401: return .unauthorized
            case 403: return .forbidden(message)
            case 404: return SwitchboardError(.notFound, "no such endpoint")
            case 405: return SwitchboardError(.badRequest, "method not allowed")
            case 413: return SwitchboardError(.payloadTooLarge, "request body is larger than \(Limits.maxRequestBodyBytes) bytes")
            default: return SwitchboardError(.internalError, message)
            }
        default:
            return SwitchboardError(.internalError, "internal error")
        }
    }

    public static func response(for error: SwitchboardError) -> Response {
        let data = (try? JSON.encode(ErrorBody(error))) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retry = error.retryAfterMs {
            headers[.retryAfter] = String((retry + 999) / 1000)
        }
        return Response(status: .init(code: error.code.httpStatus), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Wraps the router so that errors raised outside any route (no such path, wrong method)
/// get the same error JSON as errors inside routes.
public struct ErrorCatchingResponder<Inner: HTTPResponder>: HTTPResponder {
    let inner: Inner

    public init(inner: Inner) { self.inner = inner }

    public func respond(to request: Request, context: Inner.Context) async throws -> Response {
        do {
            return try await inner.respond(to: request, context: context)
        } catch {
            return ErrorResponses.response(for: ErrorResponses.map(error))
        }
    }
}
