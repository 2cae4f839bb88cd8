import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTLS
import SwitchboardTesting
import Testing

/// `switchboard-origin` as a real process on TLS: a renewed certificate is taken on SIGHUP for
/// new connections, while a WebSocket opened before stays up.
@Suite struct CertificateReloadTests {
    @Test func sighupServesTheRenewedCertificateAndKeepsOpenSocketsUp() async throws {
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        let first = try ca.issueServer("origin")
        let adminKey = "reload-admin-key", secret = TestOrigin.randomSecret()
        // Only the signal reloads here: the periodic check is off.
        let origin = try await OriginProcess(dataDirectory: ca.directory + "/origin", adminKey: adminKey, tokenSecret: secret,
                                             arguments: ["--tls-cert", first.certificateFile, "--tls-key", first.keyFile],
                                             environment: ["SWITCHBOARD_TLS_RELOAD_CHECK_INTERVAL_MS": "0"])
        defer { origin.stop() }
        let admin = SwitchboardClient(baseURL: origin.baseURL, adminKey: adminKey, tls: ca.trust, timeout: .testRequest)
        let workspace = try await admin.createWorkspace(name: "Rotating")
        let created = try await admin.createUser(workspaceID: workspace.id, CreateUserRequest(handle: "rita", displayName: "Rita"))
        let session = try await GatewaySocket.identify(SwitchboardClient.webSocketURL(origin.baseURL) + "/gateway",
                                                       token: created.token, tls: ca.trust)
        #expect(try await ExternalTool.servedCertificateSerial(port: origin.port) == first.serial)

        let renewed = try ca.issueServer("origin")
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await ExternalTool.servedCertificateSerial(port: origin.port) == first.serial, "reloaded without a signal")
        origin.signal(SIGHUP)
        _ = try await eventually(timeout: .seconds(10)) { try await ExternalTool.servedCertificateSerial(port: origin.port) == renewed.serial ? true : nil }

        // The socket opened on the old certificate is still up and answering.
        try await session.socket.send(.heartbeat(.init(s: 0)))
        _ = try await session.socket.expect("heartbeat_ack")
        #expect(try await SwitchboardClient(baseURL: origin.baseURL, token: created.token, tls: ca.trust, timeout: .testRequest).me().handle == "rita")
        await session.socket.close()
    }
}
