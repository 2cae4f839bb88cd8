import SwitchboardAuth
import SwitchboardCore

extension Chat {
    /// `@alice` typed in a message is stored as `<@ID>` when the workspace has an active user
    /// with that handle, so that clients render it and notifications reach them; unknown
    /// handles stay text.
    func resolvingHandles(_ content: String, workspaceID: Snowflake) async throws -> String {
        let words = Mentions.handleWords(in: content)
        guard !words.isEmpty else { return content }
        var ids: [String: Snowflake] = [:]
        for word in words {
            if let user = try await store.user(workspaceID: workspaceID, handle: word), !user.deleted { ids[word] = user.id }
        }
        return Mentions.resolvingHandles(in: content, ids)
    }
}
