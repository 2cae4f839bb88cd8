/// Message content as anyone may type it. The ids found are distinct and each is written
/// `<@ID>` in the content; `@handle` words are distinct, lowercased, at most the limit; and
/// resolving every handle word to an id yields content whose mentions include those ids.
func fuzzMentions(_ bytes: [UInt8]) {
    let content = String(decoding: bytes, as: UTF8.self)
    let mentions = Mentions(parsing: content)
    require(Set(mentions.userIDs).count == mentions.userIDs.count, "user ids are returned once each")
    // Byte for byte (as the parser and clients read it): String.contains compares characters,
    // and `<@8>` followed by a combining mark is not the character `>` there.
    let utf8 = Array(content.utf8)
    for id in mentions.userIDs {
        require(utf8.contains(Array("<@\(id)>".utf8)), "id \(id) is written <@\(id)> in the content")
    }

    let words = Mentions.handleWords(in: content, limit: 20)
    require(words.count <= 20, "at most the limit of handle words")
    require(Set(words).count == words.count, "handle words are returned once each")
    for word in words {
        require(word == word.lowercased() && !word.isEmpty, "a handle word is lowercased and not empty")
        require(!["here", "channel", "everyone"].contains(word), "broadcast words are not handles")
    }

    var ids: [String: Snowflake] = [:]
    for (index, word) in words.enumerated() { ids[word] = Snowflake(rawValue: UInt64(index + 1) << 22) }
    let resolved = Mentions.resolvingHandles(in: content, ids)
    let found = Set(Mentions(parsing: resolved).userIDs)
    for (word, id) in ids {
        require(found.contains(id), "@\(word) resolved to <@\(id)> is a mention of \(id)")
    }
}

extension Array where Element == UInt8 {
    func contains(_ needle: [UInt8]) -> Bool {
        guard count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
