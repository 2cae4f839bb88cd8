import SwitchboardCore

/// Why a store refuses a post — the posting rules, in the order they are checked, once for
/// both stores: SQLite checks them in its write transaction, PostgreSQL's `sb_post_message`
/// answers them by these names (it checks in the same order, in one round trip). The rule
/// about ids (`behind`) is the stores' own: see `MessageDraft`.
enum PostRefusal: String, CaseIterable {
    /// Unknown channel, or one of another workspace (not confirmed to exist).
    case noChannel = "no_channel"
    case notAMember = "not_a_member"
    case archived
    /// `thread_id` names no live message of the channel.
    case noParent = "no_parent"
    /// `thread_id` names a reply: threads are one level deep.
    case parentIsReply = "parent_is_reply"
    /// An attachment that is not the author's own, not yet posted upload.
    case badAttachment = "bad_attachment"

    var error: SwitchboardError {
        switch self {
        case .noChannel: SwitchboardError.notFound("channel")
        case .notAMember: SwitchboardError.notAMember
        case .archived: SwitchboardError.forbidden("the channel is archived")
        case .noParent: SwitchboardError.notFound("thread parent message")
        case .parentIsReply: SwitchboardError.badRequest("thread_id must name a top-level message, not a reply")
        case .badAttachment: SwitchboardError.badRequest("unknown attachment id in attachment_ids")
        }
    }
}
