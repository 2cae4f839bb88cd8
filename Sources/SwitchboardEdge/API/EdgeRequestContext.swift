import Hummingbird
import NIOCore

/// Request context of the edge's HTTP server: the connection, so that the client's address
/// can be passed on to the origin (`X-Forwarded-For`, for its per-address sign-in limits).
public struct EdgeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any NIOCore.Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
