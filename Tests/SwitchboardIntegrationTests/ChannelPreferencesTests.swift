import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Notification levels and mute, honoured by notifications (origin) and badges (edge).
@Suite struct ChannelPreferencesTests {
    @Test func levelsAndMuteDecideNotificationsAndBadges() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let handles = ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]
            let ws = try await TestWorkspace.make(on: origin, handles: handles)
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                let alice = ws.client("alice")
                let team = try await alice.createChannel(name: "team")
                let lobby = try await alice.createChannel(name: "lobby")
                for handle in handles where handle != "alice" {
                    _ = try await ws.client(handle).join(team.id)
                    _ = try await ws.client(handle).join(lobby.id)
                }
                // Defaults: channels notify on mentions, DMs on everything.
                #expect(try await ws.client("erin").channel(team.id).preferences == ChannelPreferences(level: .mentions))
                let dm = try await alice.openDM(with: [ws.user("erin").id])
                #expect(try await ws.client("erin").channel(dm.id).preferences == ChannelPreferences(level: .all))

                // bob: everything; carol: muted; dave: nothing; erin: the default. All away (no session).
                #expect(try await ws.client("bob").via(edge).setPreferences(of: team.id, level: .all).preferences?.level == .all)
                #expect(try await ws.client("carol").setPreferences(of: team.id, muted: true).preferences?.muted == true)
                _ = try await ws.client("dave").setPreferences(of: team.id, level: .nothing)

                _ = try await alice.post("plain news", to: team.id)
                let bobs = try await eventually { try await ws.client("bob").notifications().first }
                #expect(bobs.kind == .message && bobs.text.contains("#team"))
                let ids = ["carol", "dave", "erin"].map { ws.user($0).id }
                _ = try await alice.post("<@\(ids[0])> <@\(ids[1])> <@\(ids[2])> please look", to: team.id)
                let carols = try await eventually { try await ws.client("carol").notifications().first }
                #expect(carols.kind == .mention)  // muted, but named
                let erins = try await eventually { try await ws.client("erin").notifications().first }
                #expect(erins.kind == .mention)
                _ = try await alice.post("@channel standup", to: team.id)
                _ = try await alice.post("<@\(ws.user("bob").id)> a marker, last", to: lobby.id)
                _ = try await eventually { try await ws.client("bob").notifications().contains { $0.channelID == lobby.id } ? true : nil }
                #expect(try await ws.client("dave").notifications().isEmpty)
                #expect(try await ws.client("carol").notifications().map(\.count) == [1])  // not the @channel
                #expect(try await ws.client("erin").notifications().first?.count == 2)     // the mention and @channel

                // Badges at the edge: muted frank gets none for #team, gina does.
                _ = try await ws.client("frank").via(edge).setPreferences(of: team.id, muted: true)
                let frank = try await GatewaySocket.identify(edge.gatewayURL, token: ws.client("frank").token!, focus: lobby.id)
                let gina = try await GatewaySocket.identify(edge.gatewayURL, token: ws.client("gina").token!, focus: lobby.id)
                let summary = try frank.ready.payload(ReadyPayload<WorkingSet>.self).bootstrap.channels.first { $0.id == team.id }
                #expect(summary?.preferences?.muted == true)
                _ = try await alice.post("badge me", to: team.id)
                let badge = try await gina.socket.expectEvent(.unreadUpdated).payload(ReadState.self)
                #expect(badge.channelID == team.id)
                let franks = try await frank.socket.frames(for: .milliseconds(600))
                #expect(!franks.contains { $0.isEvent(.unreadUpdated) })
                // A change reaches one's own sessions.
                _ = try await ws.client("frank").setPreferences(of: team.id, muted: false)
                let change = try await frank.socket.expectEvent(.preferencesUpdated).payload(PreferencesChange.self)
                #expect(change.channelID == team.id && !change.preferences.muted)
                _ = try await alice.post("badge me again", to: team.id)
                #expect(try await frank.socket.expectEvent(.unreadUpdated).payload(ReadState.self).channelID == team.id)

                // Bad input: nothing changes.
                let (loud, _) = try await ws.client("bob").raw(.PUT, "/api/channels/\(team.id)/preferences",
                                                               body: Data(#"{"level":"loud"}"#.utf8))
                #expect(loud == 400)
                await expectAPIError(400, .badRequest) { _ = try await ws.client("bob").setPreferences(of: team.id) }
                let closed = try await alice.createChannel(name: "closed", kind: .private)
                await expectAPIError(403, .notAMember) { _ = try await ws.client("bob").setPreferences(of: closed.id, muted: true) }
                #expect(try await ws.client("bob").channel(team.id).preferences == ChannelPreferences(level: .all))
                await frank.socket.close()
                await gina.socket.close()
            }
        }
    }
}
