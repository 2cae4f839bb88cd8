import Foundation
import SwitchboardClient
import SwitchboardCore

/// How results are printed: lines for people, JSON for scripts.
enum Output {
    /// Writes a line now (unbuffered, so a pipe sees a live tail as it happens).
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func json(_ value: some Encodable) {
        let encoder = JSON.encoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(value) { Output.emit(String(decoding: data, as: UTF8.self)) }
    }

    static func time(_ ms: UInt64) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }

    /// `[time] @handle: content`, with `<@id>` mentions shown as `@handle`.
    static func line(_ message: Message, handles: [Snowflake: String], channel: String? = nil) -> String {
        var content = message.content
        for (id, handle) in handles { content = content.replacingOccurrences(of: "<@\(id)>", with: "@\(handle)") }
        let author = handles[message.authorID].map { "@\($0)" } ?? "<\(message.authorID)>"
        let place = channel.map { "#\($0) " } ?? ""
        let thread = message.threadID == nil ? "" : "  ↳ "
        let files = message.attachments.map { "  [file: \($0.name), \(ByteCountFormatter.string(fromByteCount: Int64($0.size), countStyle: .file))]" }
        return "[\(time(message.createdAtMs))] \(place)\(thread)\(author): \(content)" + files.joined()
    }

    /// Handles of the authors and mentioned users of `messages`, in one request.
    static func handles(for messages: [Message], client: SwitchboardClient) async throws -> [Snowflake: String] {
        let ids = Array(Set(messages.flatMap { [$0.authorID] + $0.mentions })).prefix(200)
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await client.users(ids: Array(ids)).map { ($0.id, $0.handle) }, uniquingKeysWith: { a, _ in a })
    }
}
