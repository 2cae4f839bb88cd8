import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback port for a server that must come back on the same address (a restart test).
/// Port 0 would do for the first start, but once it is released the kernel may hand the same
/// ephemeral port to another test's listener; a port below the ephemeral range
/// (`/proc/sys/net/ipv4/ip_local_port_range`, 32768+ here) is never handed out that way.
public enum ReusablePort {
    public static func pick() throws -> Int {
        let candidates = 10_000..<max(ephemeralRangeStart, 12_000)
        for _ in 0..<200 {
            let port = Int.random(in: candidates)
            if isFree(port) { return port }
        }
        throw ChildProcessError(description: "no free port in \(candidates)")
    }

    /// The first port the kernel hands out on its own (32768 unless configured otherwise).
    static var ephemeralRangeStart: Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    public static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
