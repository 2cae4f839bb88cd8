#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// glibc's malloc gives threads arenas of their own, up to eight per core, and memory freed into
/// one arena is not reused by allocations from another. A daemon whose connections come and go
/// allocates on event-loop threads and frees on others, so freed memory scatters over many
/// arenas and resident memory creeps up while the live heap stays put. The soak measured it on
/// the edge: with 200 viewers reconnecting every ~2 minutes, RSS rose ~5.9 MiB a minute from
/// minute 2 to 7 with glibc's default and ~1.8 MiB a minute with two arenas (docs/benchmarks.md).
public enum MallocArenas {
    /// One arena per core (2 to 8), set before the daemon starts its threads' work. An
    /// operator's `MALLOC_ARENA_MAX` in the environment wins: glibc reads it itself.
    public static func limitToOnePerCore() {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        let arenas = min(8, max(2, ProcessInfo.processInfo.activeProcessorCount))
        if glibcMallopt(glibcArenaMax, Int32(arenas)) != 1 {
            FileHandle.standardError.write(Data("warning: could not limit malloc arenas to \(arenas)\n".utf8))
        }
        #endif
    }
}

#if canImport(Glibc)
// `<malloc.h>` is not in Swift's Glibc module: glibc's `int mallopt(int, int)` and its
// `M_ARENA_MAX` (-8, a stable part of glibc's ABI) declared here.
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let glibcArenaMax: Int32 = -8
#endif
