import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open files, which every connection counts against.
enum FileLimit {
    /// Raises the soft limit to the hard one where it is lower, and returns the soft limit.
    /// At most 65,536: processes started from here (a browser with `--open`) inherit it, and
    /// some close every possible descriptor at start.
    static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_RESOURCE, &limit) == 0 else { return 1024 }
        let wanted = min(limit.rlim_max, 65536)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = wanted
            if setrlimit(RLIMIT_NOFILE_RESOURCE, &raised) == 0 { return Int(wanted) }
        }
        return Int(limit.rlim_cur)
    }

    /// How many connections the server keeps open at once under a soft limit of `limit` with
    /// `open` descriptors in use: 32 are left for rebuilds, which read files.
    static func connectionBudget(limit: Int, open: Int) -> Int {
        max(8, min(4096, limit - open - 32))
    }

    /// Descriptors the process has open now.
    static func openCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 16
    }

    #if canImport(Glibc)
    private static let RLIMIT_NOFILE_RESOURCE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #endif
}
