import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import SwitchboardCore

/// Request context of the origin's HTTP server: protocol JSON coders and the 1 MiB body limit.
public struct OriginRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection (or HTTP/2 stream): where a client certificate is found.
    public let channel: any NIOCore.Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var maxUploadSize: Int { Limits.maxRequestBodyBytes }
    public var requestDecoder: JSONDecoder { JSON.decoder() }
    public var responseEncoder: JSONEncoder { JSON.encoder() }
}
