import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program run by `posix_spawn`, its standard streams on files. Not Foundation's `Process`:
/// on Linux its `run()` over-reads `/proc/self/fd` entries and crashes now and then in a busy
/// test process (swift-corelibs-foundation PR #5472, not in Swift 6.3.1's Foundation).
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let outputPath: String
    public let errorPath: String
    private let scratch: String

    /// Starts `executable` (a path) with `arguments`; `input` is its whole standard input.
    /// With `mergeErrors`, standard error goes to the output file too.
    public init(_ executable: String, _ arguments: [String], environment: [String: String],
                input: String? = nil, mergeErrors: Bool = false) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        outputPath = scratch + "/out"
        errorPath = mergeErrors ? outputPath : scratch + "/err"
        let inputPath = scratch + "/in"
        try Data((input ?? "").utf8).write(to: URL(fileURLWithPath: inputPath))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if mergeErrors {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard status == 0 else {
            throw ChildProcessError(description: "could not start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    /// Waits for the exit, at most `timeout` (then SIGKILL); the exit status, or 128 + signal.
    public func wait(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 { return -1 }
            if ContinuousClock.now >= deadline { kill(pid, SIGKILL) }
            try await Task.sleep(for: .milliseconds(20))
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// Blocks the thread until the exit (for `defer` blocks; the program was told to stop).
    public func waitBlocking() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }

    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    public var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Removes the files of the streams (after reading them).
    public func cleanUp() { try? FileManager.default.removeItem(atPath: scratch) }

    /// The absolute path of `name` on PATH.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
