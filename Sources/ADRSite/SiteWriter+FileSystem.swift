import ADRCore
import CSystem
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The file system operations of `SiteWriter`: paths, folders, writing, removing.
extension SiteWriter {
    /// Removes `path` and everything under it, like `rm -rf` but never following a symbolic link:
    /// a link, at the top or inside, is removed itself. Only for folders adrsite made (its
    /// temporary folders, and the previous site once swapped out). Best effort.
    static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { unlink(path); return }
        for _ in 0..<3 {
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 {
                // Replaced by a link or a file since the lstat: remove that, never what it leads to.
                if errno == ELOOP || errno == ENOTDIR { unlink(path) }
                return
            }
            removeContents(fd)
            // Entries removed while listing may hide others from readdir: list again if need be.
            if rmdir(path) == 0 || errno != ENOTEMPTY { return }
        }
    }

    /// Removes everything in the folder open as `fd`, and closes `fd`.
    static func removeContents(_ fd: Int32) {
        guard let dir = fdopendir(fd) else { close(fd); return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            if isDotOrDotDot(entry) { continue }
            let name = direntName(entry)
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var st = stat()
                isDirectory = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            if !isDirectory {
                if unlinkat(fd, name, 0) == 0 || errno != EISDIR { continue }
                // A folder after all (it replaced the file meanwhile): removed below.
            }
            for _ in 0..<3 {
                let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if sub < 0 {
                    if errno == ELOOP || errno == ENOTDIR { unlinkat(fd, name, 0) }
                    break
                }
                removeContents(sub)
                if unlinkat(fd, name, AT_REMOVEDIR) == 0 || errno != ENOTEMPTY { break }
            }
        }
    }

    static func isDotOrDotDot(_ entry: UnsafeMutablePointer<dirent>) -> Bool {
        let name = direntName(entry)
        return name[0] == 0x2E && (name[1] == 0 || (name[1] == 0x2E && name[2] == 0))
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return normalized(path) }
        return normalized(Paths.join(FileManager.default.currentDirectoryPath, path))
    }

    /// The real path of the longest existing prefix, plus the rest as written.
    static func resolved(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while !existing.isEmpty && existing != "/" {
            if let real = Paths.real(existing) {
                return ([real] + rest.reversed()).joined(separator: "/")
            }
            rest.append(lastPathComponent(existing))
            existing = parentDirectory(existing)
        }
        return path
    }

    static func normalized(_ path: String) -> String {
        var out: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(part)
        }
        return "/" + out.joined(separator: "/")
    }

    static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func lastPathComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    static func isSafeRelativePath(_ path: String) -> Bool { scanRelativePath(path).safe }

    /// One pass over the bytes of a path of the site: whether it is safe (not empty, not absolute,
    /// no NUL byte, no `..` component, read as the file system reads it), whether it is ASCII,
    /// and the offset of its last `/` (-1 when none).
    static func scanRelativePath(_ path: String) -> (safe: Bool, ascii: Bool, lastSlash: Int) {
        var path = path
        let scan = path.withUTF8 { bytes -> (safe: Bool, ascii: Bool, lastSlash: Int) in
            guard let first = bytes.first, first != UInt8(ascii: "/") else { return (false, true, -1) }
            var componentStart = 0
            var lastSlash = -1
            var high: UInt8 = 0
            for i in 0...bytes.count {
                let byte = i < bytes.count ? bytes[i] : UInt8(ascii: "/")
                high |= byte
                if byte == 0 { return (false, true, -1) }
                if byte == UInt8(ascii: "/") {
                    if i - componentStart == 2 && bytes[componentStart] == UInt8(ascii: ".")
                        && bytes[componentStart + 1] == UInt8(ascii: ".") {
                        return (false, true, -1)
                    }
                    componentStart = i + 1
                    if i < bytes.count { lastSlash = i }
                }
            }
            return (true, high < 0x80, lastSlash)
        }
        if !scan.safe || scan.ascii { return scan }
        // Beyond ASCII, the check as written on characters must pass as well.
        let safe = !path.hasPrefix("/") && !path.split(separator: "/").contains("..") && !path.contains("\0")
        return (safe, false, scan.lastSlash)
    }

    /// `exclusive`: fail when the folder exists already.
    static func makeDirectory(_ path: String, exclusive: Bool = false) throws {
        if mkdir(path, 0o755) != 0 && (exclusive || errno != EEXIST) {
            throw Failure(message: "cannot create folder \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func makeDirectories(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { return }
            throw Failure(message: "cannot create folder \(path): a file of that name exists")
        }
        try makeDirectories(parentDirectory(path))
        try makeDirectory(path)
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        do {
            try writeAll(fd, bytes, path: path)
        } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0 {
            throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The UTF-8 text of the file `name` in the folder open as `dir`, or nil.
    static func readText(at dir: Int32, _ name: String) -> String? {
        let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Writes all of `bytes` to `fd` (the file at `path`, for messages).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))")
                }
                written += n
            }
        }
    }
}
