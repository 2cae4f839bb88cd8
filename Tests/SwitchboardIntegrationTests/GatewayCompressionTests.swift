import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// permessage-deflate on the gateway: a client that offers it gets compressed frames (fewer
/// bytes on the wire for the same `ready`), one that does not gets the same frames in clear.
@Suite struct GatewayCompressionTests {
    @Test func aClientOfferingDeflateGetsCompressedFramesFromEdgeAndOrigin() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            let general = try await ws.client("alice").general()
            for i in 0..<30 { _ = try await ws.client("bob").post("a message long enough to compress well, number \(i)", to: general.id) }
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                for gateway in [edge.gatewayURL, origin.gatewayURL] {
                    var sizes: [Bool: Int] = [:]
                    var readies: [Bool: Data] = [:]
                    for compress in [false, true] {
                        let wire = WireCounter()
                        let session = try await GatewaySocket.identify(gateway, token: ws.client("alice").token!, focus: general.id,
                                                                       compress: compress, wire: wire)
                        sizes[compress] = wire.bytesRead
                        readies[compress] = session.ready.raw
                        // Live events arrive whole either way (the compressed path writes frame by frame).
                        let posted = try await ws.client("bob").post("live \(compress)", to: general.id).message
                        #expect(try await session.socket.expectEvent(.messageCreated).payload(Message.self).id == posted.id)
                        await session.socket.close()
                    }
                    // The ready read through deflate is whole JSON, as large as the plain one (±the live post).
                    #expect(abs((readies[true]?.count ?? 0) - (readies[false]?.count ?? 0)) < 1_000)
                    #expect(sizes[true]! * 2 < sizes[false]!, "\(gateway): \(sizes)")
                }
            }
        }
    }
}
