import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite struct ClientTests {
    @Test func encodesQueriesAndPathsSafely() async throws {
        try await TestOrigin.with { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice"])
            let alice = ws.client("alice")
            let general = try #require(try await alice.channels().first)
            let message = try await alice.post("R&D + QA = 100% #win", to: general.id).message
            // Characters that mean something in a URL survive the trip.
            #expect(try await alice.search("R&D").map(\.id) == [message.id])
            #expect(try await alice.search("100%").map(\.id) == [message.id])
            try await alice.react("👍🏽", to: message.id, in: general.id)
            try await alice.react("+1", to: message.id, in: general.id)
            let reactions = try await alice.messages(in: general.id).messages[0].reactions
            #expect(reactions.map(\.emoji) == ["👍🏽", "+1"])
        }
    }

    @Test func surfacesProtocolErrors() async throws {
        try await TestOrigin.with { origin in
            do {
                _ = try await origin.anonymous.me()
                Issue.record("an anonymous call succeeded")
            } catch let error as APIError {
                #expect(error.status == 401 && error.code == .unauthorized)
                #expect(error.description.contains("unauthorized"))
            }
            #expect(try await origin.anonymous.health().role == "origin")
            #expect(try await origin.anonymous.metricsText().contains("switchboard_http_requests_total"))
        }
    }
}
