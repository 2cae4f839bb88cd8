import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on `{directory}/{name}.lock`, held for the life of the process
/// (the kernel releases it when the process exits, however it exits). A daemon takes it on its
/// data directory so that a second one on the same files — or a restore while it runs — is
/// refused instead of corrupting them.
public final class DirectoryLock: Sendable {
    public struct Held: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "another process holds \(path): is a daemon already running on this directory?" }
    }

    private let descriptor: Int32

    public init(directory: String, name: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Held(path: path)
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
