#if canImport(Glibc)
import Glibc
#endif

/// Raises this process's soft limit on open files to its hard limit: a server or a load tool
/// with thousands of sockets needs more than the usual default of 1,024. Returns the new limit.
@discardableResult
public func raiseOpenFileLimit() -> Int {
    #if canImport(Glibc)
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    return Int(limit.rlim_cur)
    #else
    return 0
    #endif
}
