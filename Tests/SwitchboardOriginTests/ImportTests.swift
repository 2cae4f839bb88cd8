import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// The admin bulk import: admin only, rows confined to the workspace, counts kept.
@Suite struct ImportTests {
    @Test func importIsAdminOnlyAndStaysInItsWorkspace() async throws {
        try await TestOrigin.with { origin in
            let acme = try await TestWorkspace.make(on: origin, name: "Acme", handles: ["alice"])
            let other = try await TestWorkspace.make(on: origin, name: "Other", handles: ["zed"])
            let general = try #require(acme.workspace.generalChannelID)
            let nowMs = WallClock.nowMs()
            let message = Message(id: Snowflake(timestampMs: nowMs - 1_000, worker: 1_023, sequence: 1), channelID: general,
                                  authorID: acme.user("alice").id, content: "imported <@\(acme.user("alice").id)>",
                                  createdAtMs: nowMs - 1_000)

            await expectAPIError(401, .unauthorized) {
                _ = try await acme.client("alice").importBatch(workspaceID: acme.workspace.id, ImportBatch(messages: [message]))
            }
            // A channel of another workspace is refused, and nothing of the batch is kept.
            let foreign = try #require(other.workspace.generalChannelID)
            var wrong = message
            wrong.channelID = foreign
            await expectAPIError(400, .badRequest) {
                _ = try await origin.admin.importBatch(workspaceID: acme.workspace.id, ImportBatch(messages: [message, wrong]))
            }
            #expect(try await acme.client("alice").messages(in: general).messages.isEmpty)

            let stored = try await origin.admin.importBatch(workspaceID: acme.workspace.id, ImportBatch(messages: [message]))
            #expect(stored == ImportResult(users: 0, channels: 0, memberships: 0, messages: 1))
            let page = try await acme.client("alice").messages(in: general).messages
            #expect(page.map(\.id) == [message.id] && page.first?.mentions == [acme.user("alice").id])
            #expect(try await acme.client("alice").channel(general).lastMessageID == message.id)
            #expect(try await acme.client("alice").search("imported").map(\.id) == [message.id])
        }
    }
}
