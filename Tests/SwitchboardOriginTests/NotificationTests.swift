import Foundation
import Hummingbird
import ServiceLifecycle
import SwitchboardLocking
import SwitchboardClient
import SwitchboardCore
import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// Mentions and DMs for people who are not there: stored, coalesced, evented, pushed.
@Suite struct NotificationTests {
    /// A local HTTP server standing in for a push provider.
    final class PushReceiver: Sendable {
        struct Push: Decodable, Sendable {
            var workspaceID: Snowflake
            var notification: UserNotification
            enum CodingKeys: String, CodingKey {
                case notification
                case workspaceID = "workspace_id"
            }
        }

        let received = Locked<[Push]>([])
        var pushes: [Push] { received.withLock { $0 } }

        func run(_ body: (String) async throws -> Void) async throws {
            let router = Router()
            router.post("/push") { request, context -> HTTPResponse.Status in
                let buffer = try await request.body.collect(upTo: 1 << 20)
                let push = try JSON.decode(Push.self, from: Data(buffer: buffer))
                self.received.withLock { $0.append(push) }
                return .ok
            }
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() })
            let services = ServiceGroup(configuration: .init(services: [app], logger: .init(label: "push")))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services.run() }
                var port = 0
                for await bound in ports { port = bound }
                do { try await body("http://127.0.0.1:\(port)/push") } catch {
                    await services.triggerGracefulShutdown()
                    throw error
                }
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func awayAndOfflineUsersAreNotifiedAndCoalesced() async throws {
        let receiver = PushReceiver()
        try await receiver.run { pushURL in
            try await TestOrigin.with(configure: { configuration in
                configuration.messageRateLimit = 0
                // Long enough that a loaded machine still puts the three mentions in one window.
                configuration.notifications.coalesceWindowMs = 8_000
                configuration.notifications.pushWebhookURL = pushURL
            }) { origin in
                let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob", "carol", "dave"])
                let alice = ws.client("alice")
                let general = try await alice.general()
                let bob = ws.user("bob").id, carol = ws.user("carol").id
                // carol is connected and active; dave is connected but away; bob is not connected.
                let carolSession = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("carol").token!)
                let daveSession = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("dave").token!)
                try await daveSession.socket.send(.setPresence(.init(status: .away)))
                try await daveSession.socket.send(.heartbeat(.init(s: nil)))
                _ = try await daveSession.socket.next(where: { $0.op == "heartbeat_ack" })

                _ = try await alice.post("<@\(bob)> <@\(carol)> can you review?", to: general.id)
                _ = try await alice.post("<@\(bob)> ping", to: general.id)
                _ = try await alice.post("<@\(bob)> ping again", to: general.id)
                let bobs = try await eventually { () -> [UserNotification]? in
                    let list = try await ws.client("bob").notifications()
                    return list.first?.count == 3 ? list : nil
                }
                #expect(bobs.count == 1)
                #expect(bobs[0].kind == .mention && bobs[0].channelID == general.id)
                #expect(bobs[0].text == "3 new mentions in #general")
                #expect(try await ws.client("carol").notifications().isEmpty)  // active: sees it live

                // @here: connected members who are away; not the offline, not the active.
                _ = try await alice.post("@here standup", to: general.id)
                let daves = try await eventually { try await ws.client("dave").notifications().first }
                #expect(daves.kind == .here && daves.count == 1)
                let event = try await daveSession.socket.expectEvent(.notificationCreated).payload(UserNotification.self)
                #expect(event.id == daves.id)

                // @channel in another channel, and a DM.
                let launch = try await alice.createChannel(name: "launch")
                _ = try await ws.client("bob").join(launch.id)
                _ = try await alice.post("@channel we ship today", to: launch.id)
                let dm = try await alice.openDM(with: [bob])
                _ = try await alice.post("lunch?", to: dm.id)
                let all = try await eventually { () -> [UserNotification]? in
                    let list = try await ws.client("bob").notifications()
                    return list.count == 3 ? list : nil
                }
                #expect(all.map(\.kind) == [.mention, .channel, .dm])
                #expect(all[2].text == "1 new message from @alice")
                #expect(try await ws.client("bob").notifications(after: all[0].id).count == 2)

                // The webhook got bob's first mention at once and the other two as one push.
                let generalPushes = try await eventually(timeout: .seconds(40)) { () -> [PushReceiver.Push]? in
                    let pushes = receiver.pushes.filter { $0.notification.userID == bob && $0.notification.channelID == general.id }
                    return pushes.count == 2 ? pushes : nil
                }
                #expect(generalPushes.map(\.notification.count) == [1, 3])
                #expect(generalPushes.allSatisfy { $0.workspaceID == ws.workspace.id })
                _ = carolSession
            }
        }
    }
}
