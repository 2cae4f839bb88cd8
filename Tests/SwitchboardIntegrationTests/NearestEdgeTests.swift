import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite struct NearestEdgeTests {
    @Test func ranksAnsweringEdgesAndSkipsDeadOnes() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret) { origin in
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, region: "us-east") { east in
                try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, region: "eu-west") { west in
                    // A loopback port nobody listens on stands for an edge that is down (refused at once:
                    // the generous timeout only spares a busy machine false "dead" verdicts).
                    let dead = "http://127.0.0.1:1"
                    let ranked = await SwitchboardClient.rankEdges([east.baseURL, dead, west.baseURL], samples: 2,
                                                                   timeout: .seconds(5))
                    #expect(Set(ranked.map(\.url)) == [east.baseURL, west.baseURL])
                    #expect(ranked.allSatisfy { $0.roundTripMs >= 0 })
                    #expect(zip(ranked, ranked.dropFirst()).allSatisfy { $0.roundTripMs <= $1.roundTripMs })
                    let nearest = try await origin.anonymous.nearestEdge(among: [dead, west.baseURL], timeout: .seconds(5))
                    #expect(nearest == west.baseURL)
                    #expect(try await origin.anonymous.nearestEdge(among: [dead], timeout: .seconds(5)) == nil)
                }
            }
        }
    }
}
