import Foundation

/// The standard Prometheus process metrics, read from `/proc/self` when `/metrics` is served:
/// CPU seconds, resident memory and open files — what the benchmark reads off an edge.
public enum ProcessMetrics {
    public static func text() -> [UInt8] {
        var lines: [String] = []
        if let cpu = cpuSeconds() {
            lines += ["# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
                      "# TYPE process_cpu_seconds_total counter", "process_cpu_seconds_total \(cpu)"]
        }
        if let rss = residentBytes() {
            lines += ["# HELP process_resident_memory_bytes Resident memory size in bytes.",
                      "# TYPE process_resident_memory_bytes gauge", "process_resident_memory_bytes \(rss)"]
        }
        if let anonymous = residentBytes(field: "RssAnon") {
            lines += ["# HELP switchboard_process_resident_anonymous_bytes Resident memory not backed by a file (not LMDB's mapped pages).",
                      "# TYPE switchboard_process_resident_anonymous_bytes gauge",
                      "switchboard_process_resident_anonymous_bytes \(anonymous)"]
        }
        if let files = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            lines += ["# HELP process_open_fds Number of open file descriptors.", "# TYPE process_open_fds gauge",
                      "process_open_fds \(files.count)"]
        }
        return Array((lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).utf8)
    }

    /// utime + stime of `/proc/self/stat` (fields 14 and 15, after the parenthesised name).
    static func cpuSeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `VmRSS` (or another resident-memory `field`: `RssAnon`, `RssFile`) of `/proc/self/status`, in bytes.
    static func residentBytes(field: String = "VmRSS") -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1_024 }
        }
        return nil
    }
}
