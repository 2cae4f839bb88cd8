import HTTPTypes
import Hummingbird
import SwitchboardAuth
import SwitchboardCore

extension HTTPField.Name {
    static let adminKey = Self("X-Admin-Key")!
}

extension Origin {
    func caller(_ request: Request) async throws -> Caller {
        try await caller(request.headers[.authorization])
    }

    func requireAdmin(_ request: Request) throws {
        try requireAdmin(request.headers[.adminKey])
    }

    /// The operator when the request carries the admin key (a wrong one is refused), else the
    /// token's user.
    func actor(_ request: Request) async throws -> Chat.Actor {
        if request.headers[.adminKey] != nil {
            try requireAdmin(request)
            return .operatorKey
        }
        return .member(try await caller(request))
    }
}
