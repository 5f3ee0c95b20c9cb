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

/// A file of the site, in memory.
public struct OutputFile: Sendable, Equatable {
    /// Path relative to the site root, `/`-separated.
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// A file copied from the ADR directory (an image): read only when it is written.
    public init(path: String, copyFrom source: String) {
        self.path = path
        self.bytes = []
        self.copyFrom = source
    }

    /// When set, the file's content is this file's.
    public var copyFrom: String?

    /// The content, reading a copied file from disk.
    public func content() throws -> [UInt8] {
        guard let source = copyFrom else { return bytes }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw SiteWriter.Failure(message: "cannot read \(source)")
        }
        return [UInt8](data)
    }
}

/// The one type that writes to disk. It builds the site in a temporary folder next to the output
/// and swaps it in only when every file was written, so a failed or interrupted build leaves the
/// previous site as it was. It never deletes or overwrites a file adrsite did not write: the
/// output folder carries a marker listing every file of the last build.
public enum SiteWriter {
    public static let marker = Loader.outputMarker

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    /// Test hook: called before each file is written; throwing simulates a failed write.
    nonisolated(unsafe) public static var beforeWrite: ((String) throws -> Void)?

    /// Writes `files` as the whole content of `output`.
    public static func write(_ files: [OutputFile], to output: String, input: String) throws {
        let session = try Session(output: output, input: input)
        do {
            for file in files { try session.write(file) }
        } catch {
            session.abort()
            throw error
        }
        try session.commit()
    }

    /// One build's writing: files go into a temporary folder next to the output as they are
    /// rendered (from any thread), and `commit` swaps the folder in. Until then, and whatever
    /// fails, the previous site stays as it was.
    public final class Session: @unchecked Sendable {
        let output: String
        let outputPath: String
        let temporary: String
        private let lock = NSLock()
        private var madeFolders: Set<String> = []
        private var written: [String] = []
        private var finished = false

        public init(output: String, input: String) throws {
            try SiteWriter.checkOutput(output, input: input)
            // An output that is a symbolic link to a folder is written through the link: the link
            // stays, and the site is swapped in next to the folder it points to.
            var outputPath = absolute(output)
            if isSymbolicLink(outputPath) { outputPath = resolved(outputPath) }
            let parent = parentDirectory(outputPath)
            try makeDirectories(parent)
            let name = lastPathComponent(outputPath)
            self.output = output
            self.outputPath = outputPath
            self.temporary = joinPath(parent, ".\(name).adrsite-tmp-\(getpid())")
            removeStaleTemporaries(parent: parent, name: name)
            do {
                try makeDirectory(temporary)
                // A marker first: every temporary folder is recognisably adrsite's. The list of
                // files is added when the build is complete.
                try writeFile(joinPath(temporary, marker), Array(SiteWriter.markerHeader.utf8))
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw Failure(message: "cannot write the site: \(error); the previous site was left as it was")
            }
            madeFolders.insert(temporary)
        }

        /// Writes one file of the site into the temporary folder.
        public func write(_ file: OutputFile) throws {
            guard isSafeRelativePath(file.path) else {
                throw Failure(message: "refusing to write \(file.path): not a path inside the site")
            }
            let target = joinPath(temporary, file.path)
            let dir = parentDirectory(target)
            do {
                // Folders are made under the lock: another thread may write into the same one.
                lock.lock()
                defer { lock.unlock() }
                if !madeFolders.contains(dir) {
                    try makeDirectories(dir)
                    madeFolders.insert(dir)
                }
            } catch {
                throw Failure(message: "cannot write the site: \(error); the previous site was left as it was")
            }
            do {
                try beforeWrite?(file.path)
                try writeFile(target, try file.content())
            } catch let failure as Failure {
                throw Failure(message: "\(failure.message); the previous site was left as it was")
            } catch {
                throw Failure(message: "cannot write the site: \(error); the previous site was left as it was")
            }
            lock.lock()
            written.append(file.path)
            lock.unlock()
        }

        /// Removes the temporary folder; the previous site stays.
        public func abort() {
            lock.lock()
            defer { lock.unlock() }
            guard !finished else { return }
            finished = true
            try? FileManager.default.removeItem(atPath: temporary)
        }

        /// Lists every file in the marker, then swaps the new site in.
        public func commit() throws {
            lock.lock()
            let manifest = [marker] + written.sorted()
            finished = true
            lock.unlock()
            do {
                try writeFile(joinPath(temporary, marker),
                              Array((SiteWriter.markerHeader + manifest.joined(separator: "\n") + "\n").utf8))
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw Failure(message: "cannot write the site: \(error); the previous site was left as it was")
            }
            try swapIn()
        }

        private func swapIn() throws {
            let parent = parentDirectory(outputPath)
            let name = lastPathComponent(outputPath)
            if FileManager.default.fileExists(atPath: outputPath) {
                if adrsite_exchange_paths(temporary, outputPath) == 0 {
                    // `temporary` now holds the previous site, every file of which adrsite wrote.
                    try? FileManager.default.removeItem(atPath: temporary)
                    return
                }
                let old = joinPath(parent, ".\(name).adrsite-old-\(getpid())")
                guard rename(outputPath, old) == 0 else {
                    let reason = String(cString: strerror(errno))
                    try? FileManager.default.removeItem(atPath: temporary)
                    throw Failure(message: "cannot replace \(output): \(reason)")
                }
                guard rename(temporary, outputPath) == 0 else {
                    let reason = String(cString: strerror(errno))
                    _ = rename(old, outputPath)
                    try? FileManager.default.removeItem(atPath: temporary)
                    throw Failure(message: "cannot replace \(output): \(reason)")
                }
                try? FileManager.default.removeItem(atPath: old)
            } else if rename(temporary, outputPath) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: temporary)
                throw Failure(message: "cannot create \(output): \(reason)")
            }
        }
    }

    static let markerHeader = "written by adrsite \(adrsiteVersion); adrsite replaces this folder on every build\n"

    /// Refuses an output folder that is the input folder, contains it, or holds files that
    /// adrsite did not write.
    public static func checkOutput(_ output: String, input: String) throws {
        let outputPath = absolute(output)
        let inputPath = resolved(absolute(input))
        let outputResolved = resolved(outputPath)
        if outputResolved == inputPath {
            throw Failure(message: "refusing to write the site into \(output): it is the ADR directory itself; choose another --output")
        }
        if inputPath.hasPrefix(outputResolved.hasSuffix("/") ? outputResolved : outputResolved + "/") {
            throw Failure(message: "refusing to write the site into \(output): it contains the ADR directory; choose another --output")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outputPath, isDirectory: &isDirectory) else {
            if isSymbolicLink(outputPath) {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: outputPath)) ?? "?"
                throw Failure(message: "refusing to write the site into \(output): it is a symbolic link to \(target), which does not exist")
            }
            return
        }
        guard isDirectory.boolValue else {
            throw Failure(message: "refusing to write the site into \(output): it is a file, not a folder")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: outputPath)) ?? []
        if entries.isEmpty { return }
        guard let manifestText = try? String(contentsOfFile: joinPath(outputPath, marker), encoding: .utf8) else {
            throw Failure(message: "refusing to write the site into \(output): the folder is not empty and was not written by adrsite (it has no \(marker) file); choose an empty or new folder")
        }
        let manifest = Set(manifestText.split(separator: "\n").dropFirst().map(String.init))
        var foreign: [String] = []
        if let walker = FileManager.default.enumerator(atPath: outputPath) {
            while let path = walker.nextObject() as? String {
                // lstat: a symbolic link, even to a folder, is a file adrsite did not write.
                var st = stat()
                let isDirectory = lstat(joinPath(outputPath, path), &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
                if !isDirectory && !manifest.contains(path) { foreign.append(path) }
            }
        }
        if !foreign.isEmpty {
            let shown = foreign.sorted().prefix(5).joined(separator: ", ") + (foreign.count > 5 ? ", …" : "")
            throw Failure(message: "refusing to replace \(output): it holds files adrsite did not write (\(shown)); move them elsewhere first")
        }
    }

    // MARK: - File system helpers

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return normalized(path) }
        return normalized(joinPath(FileManager.default.currentDirectoryPath, path))
    }

    /// The real path of the longest existing prefix, plus the rest as written.
    static func resolved(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while !existing.isEmpty && existing != "/" {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                return ([String(cString: real)] + rest.reversed()).joined(separator: "/")
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

    static func isSafeRelativePath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains("..") && !path.contains("\0")
    }

    static func removeStaleTemporaries(parent: String, name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for entry in entries where entry.hasPrefix(".\(name).adrsite-tmp-") || entry.hasPrefix(".\(name).adrsite-old-") {
            let path = joinPath(parent, entry)
            if FileManager.default.fileExists(atPath: joinPath(path, marker)) {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw Failure(message: "cannot create folder \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func makeDirectories(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw Failure(message: "cannot create folder \(path): a file of that name exists")
        }
        try makeDirectories(parentDirectory(path))
        try makeDirectory(path)
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        var closed = false
        defer { if !closed { close(fd) } }
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
        closed = true
        if close(fd) != 0 {
            throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
