import Foundation
import Hummingbird
import SwitchboardCore

/// Request context of the origin's HTTP server: protocol JSON coders and the 1 MiB body limit.
public struct OriginRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { Limits.maxRequestBodyBytes }
    public var requestDecoder: JSONDecoder { JSON.decoder() }
    public var responseEncoder: JSONEncoder { JSON.encoder() }
}

