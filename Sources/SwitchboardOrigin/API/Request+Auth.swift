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
}
