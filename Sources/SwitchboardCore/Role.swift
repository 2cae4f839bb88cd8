/// What a workspace member may do. Owners and admins administer: they deactivate people,
/// archive channels, manage hooks, delete others' messages and notify whole large channels;
/// only owners make admins and owners. Guests see only the channels they are invited to.
public enum Role: String, Codable, Sendable, CaseIterable {
    case owner, admin, member, guest

    public var isAdmin: Bool { self == .owner || self == .admin }

    /// Whether someone with this role may change `target`'s role to `newRole`, or deactivate
    /// or reactivate them (`newRole == target`): admins manage members and guests, owners everyone.
    public func mayManage(_ target: Role, giving newRole: Role? = nil) -> Bool {
        switch self {
        case .owner: true
        case .admin: !target.isAdmin && !(newRole?.isAdmin ?? false)
        case .member, .guest: false
        }
    }
}
