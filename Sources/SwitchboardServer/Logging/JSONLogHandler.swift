import Foundation
import Logging
import SwitchboardLocking

/// One JSON object a line on standard error (standard output is for what a command prints): `time` (RFC 3339, milliseconds, UTC), `level`,
/// `label`, `message`, then the metadata's keys (`workspace_id`, `session_id`, `request_id`, …)
/// at the top level, so a log shipper can index them without parsing the message.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: LineSink

    public init(label: String, level: Logger.Level, sink: LineSink = .standardError) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: Any] = [:]
        for (key, value) in metadata { object[key] = Self.json(value) }
        for (key, value) in metadataProvider?.get() ?? [:] { object[key] = Self.json(value) }
        for (key, value) in event.metadata ?? [:] { object[key] = Self.json(value) }
        object["time"] = Self.timestamp(Date())
        object["level"] = event.level.rawValue
        object["label"] = label
        object["message"] = "\(event.message)"
        if event.level >= .error { object["source"] = "\(event.file):\(event.line)" }
        sink.write(Self.line(object))
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let entries): entries.mapValues(json)
        }
    }

    static func line(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            // Only non-JSON values could fail here, and every value above is a string, array or object.
            return #"{"level":"error","message":"unencodable log line"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// Where log lines go; lines from concurrent tasks never interleave.
public final class LineSink: Sendable {
    private let lock = Locked(())
    private let handle: FileHandle

    public init(_ handle: FileHandle) { self.handle = handle }

    public static let standardError = LineSink(.standardError)

    func write(_ line: String) {
        lock.withLock { _ in handle.write(Data((line + "\n").utf8)) }
    }
}

extension LogConfiguration {
    /// Installs the chosen format for every logger of the process (once, before any is made).
    public func bootstrap() {
        let level = self.level
        switch format {
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
