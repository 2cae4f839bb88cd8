import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Per channel, id order = commit order = delivery order: 32 posters racing (half through the
/// origin, half through an edge), a reader paging forward with `after=` while they post, and
/// viewers at the origin and at the edge. Runs on the store `SWITCHBOARD_TEST_STORE` names.
@Suite struct StrictOrderTests {
    static let posters = 32
    static let postsEach = 10

    @Test func concurrentPostersGetIdsInCommitAndDeliveryOrder() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let handles = (0..<Self.posters).map { "poster\($0)" }
            let ws = try await TestWorkspace.make(on: origin, handles: ["viewer"] + handles)
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                let general = try await ws.client("viewer").general()
                let total = Self.posters * Self.postsEach
                let token = ws.client("viewer").token!
                let atOrigin = try await GatewaySocket.identify(origin.gatewayURL, token: token, focus: general.id,
                                                                mailboxCapacity: 4 * total)
                let atEdge = try await GatewaySocket.identify(edge.gatewayURL, token: token, focus: general.id,
                                                              mailboxCapacity: 4 * total)
                let start = try await ws.client("viewer").messages(in: general.id, limit: 1).messages.last?.id ?? Snowflake(0)

                // A reader that pages forward from what it has while the posts commit: with ids
                // out of commit order it would step over a message committed after its page.
                let pager = Task {
                    var seen: [Snowflake] = []
                    var after = start
                    while seen.count < total {
                        let page = try await ws.client("viewer").messages(in: general.id, after: after, limit: 50).messages
                        seen += page.map(\.id)
                        after = page.last?.id ?? after
                        if page.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    return seen
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, handle) in handles.enumerated() {
                        let client = index.isMultiple(of: 2) ? ws.client(handle) : ws.client(handle).via(edge)
                        group.addTask {
                            for n in 0..<Self.postsEach { _ = try await client.post("\(handle) #\(n)", to: general.id) }
                        }
                    }
                    try await group.waitForAll()
                }
                let paged = try await pager.value

                // The log: message.created events in seq order carry ascending ids.
                let workspaceID = ws.user("viewer").workspaceID
                let logged = try await origin.origin.store.events(workspaceID: workspaceID, after: 0, limit: 100_000)
                    .filter { $0.type == .messageCreated && $0.channelID == general.id }
                    .map { try JSON.decoder().decode(Message.self, from: Data($0.payload)).id }
                    .filter { $0 > start }
                #expect(logged.count == total)
                expectSame(logged.sorted(), logged, "the event log's order and id order")
                expectSame(paged, logged, "paging with after= while posts commit, and the log")

                // Delivery at the origin and through the edge: the same order, each once.
                for (place, viewer) in [("origin", atOrigin), ("edge", atEdge)] {
                    var delivered: [Snowflake] = []
                    while delivered.count < total {
                        let message = try await viewer.socket.expectEvent(.messageCreated, timeout: .seconds(30)).payload(Message.self)
                        delivered.append(message.id)
                    }
                    expectSame(delivered, logged, "delivery at the \(place), and the log")
                    await viewer.socket.close()
                }
                // History, at the origin and through the edge, holds exactly those, in that order.
                for client in [ws.client("viewer"), ws.client("viewer").via(edge)] {
                    var history: [Snowflake] = []
                    var after = start
                    while true {
                        let page = try await client.messages(in: general.id, after: after, limit: 100).messages
                        guard let last = page.last else { break }
                        history += page.map(\.id)
                        after = last.id
                    }
                    expectSame(history, logged, "history, and the log")
                }
            }
        }
    }

    /// Equal sequences, or an issue naming the first difference (not thousands of ids).
    func expectSame(_ actual: [Snowflake], _ expected: [Snowflake], _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
        guard actual != expected else { return }
        let first = (0..<min(actual.count, expected.count)).first { actual[$0] != expected[$0] } ?? min(actual.count, expected.count)
        Issue.record("\(what) differ: \(actual.count) vs \(expected.count) ids, first difference at \(first)",
                     sourceLocation: sourceLocation)
    }
}
