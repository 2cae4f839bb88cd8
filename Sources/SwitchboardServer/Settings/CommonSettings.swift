import Logging
import SwitchboardTLS

/// Settings the origin and the edge share, described once.
extension GatewayLimits {
    /// `gateway.*`: the bounds of one client session.
    public static func settings<Root>(_ path: WritableKeyPath<Root, GatewayLimits>) -> [Setting<Root>] {
        [
            .integer("gateway.heartbeatIntervalMs", path.appending(path: \.heartbeatIntervalMs),
                     "Heartbeat interval announced in hello; two missed intervals close the socket.", unit: "ms", range: 1_000...600_000),
            .integer("gateway.resumeWindowMs", path.appending(path: \.resumeWindowMs),
                     "How long a detached session can be resumed.", unit: "ms", range: 0...3_600_000),
            .integer("gateway.replayEvents", path.appending(path: \.replayEvents),
                     "Events kept per session for a resume (at most; those the client's heartbeat s acknowledged are let go).",
                     range: 0...1_000_000),
            .integer("gateway.replayBytes", path.appending(path: \.replayBytes),
                     "Bytes of events kept per session for a resume (at most).", unit: "bytes", range: 0...(1 << 30)),
            .integer("gateway.outboundQueueBytes", path.appending(path: \.outboundQueueBytes),
                     "Bytes that may wait for one client before it is dropped as too slow (close 4008).", unit: "bytes",
                     range: 4_096...(1 << 30), flags: ["--outbound-queue-bytes"]),
            .integer("gateway.maxClientFrameBytes", path.appending(path: \.maxClientFrameBytes),
                     "Largest client frame accepted; bigger ones get payload_too_large.", unit: "bytes", range: 1_024...(16 << 20)),
            .integer("gateway.commandsPerWindow", path.appending(path: \.commandsPerWindow),
                     "Client frames allowed per commandWindowMs; more get rate_limited.", range: 1...1_000_000),
            .integer("gateway.commandWindowMs", path.appending(path: \.commandWindowMs),
                     "The window of commandsPerWindow.", unit: "ms", range: 100...3_600_000),
            .integer("gateway.typingIntervalMs", path.appending(path: \.typingIntervalMs),
                     "Least time between two typing.started of one user in one channel.", unit: "ms", range: 0...600_000),
            .integer("gateway.typingTtlMs", path.appending(path: \.typingTTLms),
                     "How long a typing.started holds.", unit: "ms", range: 1_000...600_000),
            .integer("gateway.identifyTimeoutMs", path.appending(path: \.identifyTimeoutMs),
                     "Time allowed between hello and identify or resume.", unit: "ms", range: 1_000...600_000),
        ]
    }
}

extension TransportConfiguration {
    /// `tls.*` of the listener. The certificate and key are also read from
    /// `SWITCHBOARD_TLS_CERT` / `SWITCHBOARD_TLS_KEY` (one pair of names for both daemons).
    public static func settings<Root>(_ path: WritableKeyPath<Root, TransportConfiguration>) -> [Setting<Root>] {
        let tls = path.appending(path: \.tls)
        let defaults = ServerTLSConfiguration(certificateFile: "", keyFile: "")
        func file(_ key: String, _ field: WritableKeyPath<ServerTLSConfiguration, String>, _ help: String, environment: String) -> Setting<Root> {
            Setting(key, kind: .string, help: help, environmentAliases: [environment],
                    get: { root in root[keyPath: tls].map { .string($0[keyPath: field]) } ?? .none },
                    set: { root, value in
                        var configuration = root[keyPath: tls] ?? defaults
                        configuration[keyPath: field] = value.string ?? ""
                        root[keyPath: tls] = configuration
                    })
        }
        func interval(_ key: String, _ field: WritableKeyPath<ServerTLSConfiguration, UInt64>, _ help: String,
                      range: ClosedRange<Int>) -> Setting<Root> {
            Setting(key, kind: .integer, help: help, unit: "ms", range: range,
                    get: { root in .integer(Int((root[keyPath: tls] ?? defaults)[keyPath: field])) },
                    set: { root, value in
                        var configuration = root[keyPath: tls] ?? defaults
                        configuration[keyPath: field] = UInt64(value.integer ?? 0)
                        root[keyPath: tls] = configuration
                    })
        }
        return [
            file("tls.cert", \.certificateFile, "PEM certificate (then its chain): serve HTTPS and WSS, HTTP/2 by ALPN.",
                 environment: "SWITCHBOARD_TLS_CERT"),
            file("tls.key", \.keyFile, "PEM private key of tls.cert (unencrypted, mode 0600).", environment: "SWITCHBOARD_TLS_KEY"),
            .boolean("tls.require", path.appending(path: \.requireTLS), "Refuse to start without a certificate.",
                     flags: ["--require-tls"]),
            .boolean("tls.h2c", path.appending(path: \.plaintextHTTP2),
                     "Plain port only: also accept HTTP/2 with prior knowledge.", flags: ["--h2c"]),
            interval("tls.reloadCheckIntervalMs", \.reloadCheckIntervalMs,
                     "How often the certificate files are re-read (0: on SIGHUP only).", range: 0...86_400_000),
            interval("tls.handshakeTimeoutMs", \.handshakeTimeoutMs,
                     "A TLS handshake not done within this time is closed.", range: 100...600_000),
        ]
    }

    /// A certificate needs its key; nothing given is plain HTTP.
    public static func finish(_ transport: inout TransportConfiguration) throws {
        guard let tls = transport.tls else { return }
        switch (tls.certificateFile.isEmpty, tls.keyFile.isEmpty) {
        case (true, true):
            if let clientCA = tls.clientCAFile, !clientCA.isEmpty {
                throw SettingRefusal("tls.edgeClientCa needs TLS: give tls.cert and tls.key")
            }
            transport.tls = nil
        case (false, false): break
        default: throw SettingRefusal("tls.cert and tls.key go together")
        }
    }
}

/// How a daemon logs: level and line format.
public struct LogConfiguration: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// `time level label: message key=value…`, for people.
        case text
        /// One JSON object a line (time, level, message, metadata), for log shippers.
        case json
    }

    public var level: Logger.Level = .info
    public var format: Format = .text

    public init() {}

    public static func settings<Root>(_ path: WritableKeyPath<Root, LogConfiguration>) -> [Setting<Root>] {
        [
            Setting("logLevel", kind: .string, help: "Least severe level logged.",
                    choices: Logger.Level.allCases.map(\.rawValue),
                    get: { .string($0[keyPath: path].level.rawValue) },
                    set: { root, value in root[keyPath: path].level = Logger.Level(rawValue: value.string ?? "") ?? .info }),
            Setting("logFormat", kind: .string, help: "text (for people) or json (one object a line, for log shippers).",
                    choices: Format.allCases.map(\.rawValue),
                    get: { .string($0[keyPath: path].format.rawValue) },
                    set: { root, value in root[keyPath: path].format = Format(rawValue: value.string ?? "") ?? .text }),
        ]
    }
}
