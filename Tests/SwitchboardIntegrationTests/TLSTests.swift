import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardEdge
import SwitchboardServer
import SwitchboardOrigin
import SwitchboardTLS
import SwitchboardTesting
import Testing

/// TLS and HTTP/2 on every hop, with real certificates from a throw-away CA: curl and openssl
/// as independent clients, the SDK over `wss://`, an edge whose feed runs over TLS (and mutual
/// TLS), and the refusals — wrong CA, no client certificate, plain HTTP on a TLS port, a
/// handshake cut short, expired certificates — each leaving the server serving.
@Suite(.serialized) struct TLSTests {
    let ca: TestCertificateAuthority

    init() throws {
        ca = try TestCertificateAuthority()
    }

    /// An origin on TLS (optionally asking edges for client certificates) with a workspace,
    /// and an edge on TLS whose origin is `https://` verified with the CA.
    func withSecureOriginAndEdge(edgeClientCertificate: Bool = false, requireEdgeCertificates: Bool = false,
                                 _ body: (TestOrigin, TestWorkspace, TestEdge) async throws -> Void) async throws {
        let secret = TestOrigin.randomSecret()
        let originCertificate = try ca.issueServer("origin")
        let edgeCertificate = try ca.issueServer("edge")
        let client = edgeClientCertificate ? try ca.issueClient("edge-client") : nil
        try await TestOrigin.with(tokenSecret: secret, tls: ca.trust, configure: {
            $0.messageRateLimit = 0
            var tls = originCertificate.server
            if requireEdgeCertificates { tls.clientCAFile = ca.caFile }
            $0.transport.tls = tls
        }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, tls: ca.trust, configure: {
                $0.transport.tls = edgeCertificate.server
                $0.originTLS = ClientTLS(caFile: ca.caFile, certificateFile: client?.certificateFile, keyFile: client?.keyFile)
            }) { edge in
                try await body(origin, ws, edge)
            }
        }
    }

    @Test func curlGetsHTTP2FromOriginAndEdgeAndOpenSSLSeesTheChainAndH2() async throws {
        defer { ca.remove() }
        try await withSecureOriginAndEdge { origin, ws, edge in
            let token = ws.client("alice").token!
            for base in [origin.baseURL, edge.baseURL] {
                #expect(base.hasPrefix("https://127.0.0.1:"))
                let (line, body, run) = try await ExternalTool.curl(base + "/api/users/me", caFile: ca.caFile,
                                                                     ["--http2", "-H", "Authorization: Bearer \(token)"])
                #expect(line == "2 200", "\(base): \(run.errors)")
                #expect(body.contains("\"handle\":\"alice\""))
                // HTTP/1.1 still works on the same port.
                let (old, _, _) = try await ExternalTool.curl(base + "/healthz", caFile: ca.caFile, ["--http1.1"])
                #expect(old == "1.1 200")

                let port = base.split(separator: ":").last.map(String.init)!
                let handshake = try await ExternalTool.run("openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-alpn", "h2",
                                                                       "-CAfile", ca.caFile, "-verify_return_error"], input: "")
                #expect(handshake.output.contains("ALPN protocol: h2"), "\(handshake.output)")
                #expect(handshake.output.contains("Verify return code: 0 (ok)"), "\(handshake.output)")
            }
            // A file download (through the edge's proxy) over HTTP/2 as well.
            let general = try await ws.client("alice").general()
            let file = try await ws.client("alice").via(edge).upload(bytes: Array("tls bytes".utf8), contentType: "text/plain",
                                                                     filename: "note.txt")
            _ = try await ws.client("alice").post("file", to: general.id, attachmentIDs: [file.id])
            let url = file.url.hasPrefix("/") ? edge.baseURL + file.url : file.url.replacingOccurrences(of: origin.baseURL, with: edge.baseURL)
            let (download, bytes, run) = try await ExternalTool.curl(url, caFile: ca.caFile,
                                                                     ["--http2", "-H", "Authorization: Bearer \(token)"])
            #expect(download == "2 200", "\(run.errors)")
            #expect(bytes == "tls bytes")
        }
    }

    @Test func aGatewayClientOverWSSGetsReadyAndLiveEventsThroughAnEdgeFedOverTLS() async throws {
        defer { ca.remove() }
        try await withSecureOriginAndEdge { origin, ws, edge in
            let general = try await ws.client("alice").general()
            #expect(edge.gatewayURL.hasPrefix("wss://127.0.0.1:"))
            let alice = try await GatewaySocket.identify(edge.gatewayURL, token: ws.client("alice").token!, focus: general.id,
                                                         tls: ca.trust)
            #expect(try alice.ready.payload(ReadyPayload<WorkingSet>.self).bootstrap.me.handle == "alice")
            let posted = try await ws.client("bob").post("over TLS all the way", to: general.id)
            let event = try await alice.socket.expectEvent(.messageCreated)
            #expect(try event.payload(Message.self).id == posted.message.id)
            // The edge registered with the origin over TLS, with its https:// address.
            let listed = try await eventually { try await origin.anonymous.edges().first { $0.publicURL == edge.baseURL } }
            #expect(listed.region == "test")
            await alice.socket.close()
        }
    }

    @Test func theCLITrustsAPrivateCAGivenWithCAFileAndSaysWhatIsMissingWithoutIt() async throws {
        defer { ca.remove() }
        let home = ca.directory + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try await withSecureOriginAndEdge { origin, ws, edge in
            let token = ws.client("alice").token!
            let refused = try await CLITests.switchboard(["login", "--origin", origin.baseURL, "--token", token], home: home)
            #expect(refused.status != 0)
            #expect(refused.errors.contains("did not verify") && refused.errors.contains("--ca-file"), "\(refused.errors)")

            let login = try await CLITests.switchboard(["login", "--origin", origin.baseURL, "--token", token, "--ca-file", ca.caFile],
                                                       home: home)
            #expect(login.status == 0, "\(login.errors)")
            let general = try await ws.client("alice").general()
            let sent = try await CLITests.switchboard(["send", "#general", "over TLS from the CLI", "--edge", edge.baseURL,
                                                       "--ca-file", ca.caFile], home: home)
            #expect(sent.status == 0, "\(sent.errors)")
            #expect(try await ws.client("bob").messages(in: general.id).messages.last?.content == "over TLS from the CLI")
            let edges = try await CLITests.switchboard(["edges", "--ca-file", ca.caFile], home: home)
            #expect(edges.output.contains(edge.baseURL), "\(edges.output) \(edges.errors)")
        }
    }

    @Test func anEdgeThatDoesNotTrustTheOriginsCertificateNeverOpensTheFeed() async throws {
        defer { ca.remove() }
        let otherCA = try TestCertificateAuthority(name: "other-ca")
        defer { otherCA.remove() }
        let secret = TestOrigin.randomSecret()
        let originCertificate = try ca.issueServer("origin")
        try await TestOrigin.with(tokenSecret: secret, tls: ca.trust, configure: { $0.transport.tls = originCertificate.server }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice"])
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, configure: {
                $0.originTLS = otherCA.trust
                $0.syncWaitMs = 1_500
                $0.workspaces = [ws.workspace.id.description]
            }) { edge in
                await expectAPIError(503, .unavailable) { _ = try await ws.client("alice").via(edge).workingSet() }
                let connects = try await edge.anonymous.metric("switchboard_edge_upstream_connects_total")
                #expect(connects == 0)
                #expect(origin.origin.edges.edges.allSatisfy { $0.workspaceIDs.isEmpty })
                // The origin serves everyone else as before.
                let me = try await ws.client("alice").me()
                #expect(me.handle == "alice")
            }
        }
    }

    @Test func withMutualTLSOnlyEdgesPresentingACertificateTheCASignedGetAFeed() async throws {
        defer { ca.remove() }
        // With a client certificate from the edge CA: served.
        try await withSecureOriginAndEdge(edgeClientCertificate: true, requireEdgeCertificates: true) { origin, ws, edge in
            let bootstrap = try await ws.client("alice").via(edge).workingSet()
            #expect(bootstrap.me.handle == "alice")

            // Without one: the key alone does not open a feed (and a browser-like client without
            // a certificate still uses the origin's REST API).
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: edge.edge.configuration.tokenSecret, region: "nocert",
                                    tls: ca.trust, configure: {
                $0.originTLS = ca.trust
                $0.syncWaitMs = 1_500
            }) { bare in
                await expectAPIError(503, .unavailable) { _ = try await ws.client("alice").via(bare).workingSet() }
                let connects = try await bare.anonymous.metric("switchboard_edge_upstream_connects_total")
                #expect(connects == 0)
            }
            #expect(try await ws.client("bob").me().handle == "bob")

            // curl presenting the key but no certificate is refused at the feed's gate, by name.
            let (line, body, _) = try await ExternalTool.curl(origin.baseURL + "/api/edges/curl-edge", caFile: ca.caFile, [
                "-X", "PUT", "-H", "X-Edge-Key: \(TestOrigin.edgeKey)", "-H", "Content-Type: application/json",
                "-d", #"{"region":"x","public_url":"https://x.example"}"#,
            ])
            #expect(line.hasSuffix(" 403"))
            #expect(body.contains("client certificate"))

            // A certificate from another CA fails the handshake; an expired one from the right CA too.
            let otherCA = try TestCertificateAuthority(name: "other-ca")
            defer { otherCA.remove() }
            let foreign = try otherCA.issueClient("foreign")
            let expired = try ca.issueClient("expired", notBefore: Date().addingTimeInterval(-90 * 86400),
                                             notAfter: Date().addingTimeInterval(-86400))
            for certificate in [foreign, expired] {
                let refused = try await ExternalTool.curl(origin.baseURL + "/healthz", caFile: ca.caFile,
                                                          ["--cert", certificate.certificateFile, "--key", certificate.keyFile])
                #expect(refused.run.status != 0, "\(refused.line)")
            }
            let (healthy, _, _) = try await ExternalTool.curl(origin.baseURL + "/healthz", caFile: ca.caFile)
            #expect(healthy.hasSuffix(" 200"))
        }
    }

    @Test func plaintextOnTheTLSPortGetsA400AndACutHandshakeIsDropped() async throws {
        defer { ca.remove() }
        let certificate = try ca.issueServer("origin")
        try await TestOrigin.with(tls: ca.trust, configure: {
            var tls = certificate.server
            tls.handshakeTimeoutMs = 500
            $0.transport.tls = tls
        }) { origin in
            let port = origin.port
            let (line, body, _) = try await ExternalTool.curl("http://127.0.0.1:\(port)/healthz", caFile: nil)
            #expect(line == "1.1 400")
            #expect(body.contains("bad_request") && body.contains("https://"))

            // Four bytes of a ClientHello, then silence: the server closes the connection (cat sees
            // the end of the stream) long before `timeout` would end the wait.
            let cut = try await ExternalTool.run("bash", ["-c", """
                exec 3<>/dev/tcp/127.0.0.1/\(port); printf '\\x16\\x03\\x01\\x00' >&3; timeout 30 cat <&3 >/dev/null; echo "cat=$?"
                """])
            #expect(cut.output.contains("cat=0"), "the server kept a half-open handshake: \(cut.output) \(cut.errors)")

            let (after, _, _) = try await ExternalTool.curl(origin.baseURL + "/healthz", caFile: ca.caFile)
            #expect(after.hasSuffix(" 200"))
        }
    }

    @Test func anExpiredServerCertificateIsRefusedByClientsAndTheServerKeepsServing() async throws {
        defer { ca.remove() }
        let expired = try ca.issueServer("expired", notBefore: Date().addingTimeInterval(-90 * 86400),
                                         notAfter: Date().addingTimeInterval(-86400))
        try await TestOrigin.with(tls: ca.trust, configure: { $0.transport.tls = expired.server }) { origin in
            let impatient = SwitchboardClient(baseURL: origin.baseURL, tls: ca.trust, timeout: .seconds(2))
            await #expect(throws: (any Error).self) { _ = try await impatient.raw(.GET, "/healthz") }
            let strict = try await ExternalTool.curl(origin.baseURL + "/healthz", caFile: ca.caFile)
            #expect(strict.run.status == 60, "\(strict.run.errors)")  // curl: peer certificate cannot be authenticated
            #expect(strict.run.errors.contains("expired"))
            let (insecure, _, _) = try await ExternalTool.curl(origin.baseURL + "/healthz", caFile: nil, ["--insecure"])
            #expect(insecure.hasSuffix(" 200"))
        }
    }

    @Test func aRenewedCertificateServesNewConnectionsAndOpenSocketsStayUp() async throws {
        defer { ca.remove() }
        let first = try ca.issueServer("origin")
        try await TestOrigin.with(tls: ca.trust, configure: {
            var tls = first.server
            tls.reloadCheckIntervalMs = 200
            $0.transport.tls = tls
        }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice"])
            let session = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("alice").token!, tls: ca.trust)
            #expect(try await ExternalTool.servedCertificateSerial(port: origin.port) == first.serial)

            let renewed = try ca.issueServer("origin")  // the same files, rewritten in place
            #expect(renewed.serial != first.serial)
            _ = try await eventually { try await ExternalTool.servedCertificateSerial(port: origin.port) == renewed.serial ? true : nil }
            try await session.socket.send(.heartbeat(.init(s: 0)))
            _ = try await session.socket.expect("heartbeat_ack")
            // A renewal that does not load (a truncated file) leaves the current certificate in place.
            try "-----BEGIN CERTIFICATE-----\nnot base64\n".write(toFile: renewed.certificateFile, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await ExternalTool.servedCertificateSerial(port: origin.port) == renewed.serial)
            #expect(try await origin.anonymous.raw(.GET, "/healthz").status == 200)
            await session.socket.close()
        }
    }

    @Test func h2cIsOffByDefaultAndServesPriorKnowledgeClientsWhenOn() async throws {
        defer { ca.remove() }
        try await TestOrigin.with { origin in
            let refused = try await ExternalTool.curl(origin.baseURL + "/healthz", caFile: nil, ["--http2-prior-knowledge", "--max-time", "2"])
            #expect(refused.line != "2 200")
        }
        try await TestOrigin.with(configure: { $0.transport.plaintextHTTP2 = true }) { origin in
            let (h2, body, run) = try await ExternalTool.curl(origin.baseURL + "/healthz", caFile: nil, ["--http2-prior-knowledge"])
            #expect(h2 == "2 200", "\(run.errors)")
            #expect(body.contains("\"status\":\"ok\""))
            let (h1, _, _) = try await ExternalTool.curl(origin.baseURL + "/healthz", caFile: nil, ["--http1.1"])
            #expect(h1 == "1.1 200")
            // WebSockets still upgrade on the same port.
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice"])
            let session = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("alice").token!)
            await session.socket.close()
        }
    }

    @Test func anOriginWithoutACertificateRefusesToStartWhenTLSIsRequired() async throws {
        defer { ca.remove() }
        var configuration = OriginConfiguration(dataDirectory: ca.directory + "/origin", adminKey: "admin-key-0123456789",
                                                tokenSecret: TestOrigin.randomSecret())
        configuration.transport.requireTLS = true
        await #expect(throws: TransportConfiguration.Refused.self) { _ = try await Origin(configuration: configuration) }
        configuration.transport.tls = ServerTLSConfiguration(certificateFile: ca.caFile, keyFile: ca.directory + "/no-such-key.pem")
        await #expect(throws: TLSFileError.self) { _ = try await Origin(configuration: configuration) }
    }

    @Test func clientsRefuseAMisconfiguredEdgeAtStart() async throws {
        defer { ca.remove() }
        var configuration = EdgeConfiguration(originURL: "http://10.20.30.40:8080", edgeKey: "k", tokenSecret: TestOrigin.randomSecret(),
                                              dataDirectory: ca.directory + "/edge")
        await #expect(throws: EdgeConfiguration.InsecureOrigin.self) { _ = try await Edge(configuration: configuration) }
        configuration.originURL = "http://127.0.0.1:8080"
        configuration.transport.requireTLS = true
        await #expect(throws: TransportConfiguration.Refused.self) { _ = try await Edge(configuration: configuration) }
        configuration.transport.tls = ServerTLSConfiguration(certificateFile: ca.directory + "/missing.pem", keyFile: ca.caFile)
        await #expect(throws: TLSFileError.self) { _ = try await Edge(configuration: configuration) }
    }
}
