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

/// The one type that writes to disk. It builds the site in a temporary folder next to the output
/// and swaps it in only when every file was written, so a failed or interrupted build leaves the
/// previous site as it was. It never deletes or overwrites a file adrsite did not write: the
/// output folder carries a marker listing every file of the last build.
///
/// Several builds may write the same output at once (two CI steps, a save hook): each has a
/// temporary folder of its own, whose marker it holds locked (`flock`) until it ends, and a
/// build removes only the temporary folders nobody holds (those of builds that died). Each
/// swap is atomic; the last one wins, and every build succeeds.
public enum SiteWriter {
    public static let marker = Loader.outputMarker

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    /// Test hook: called before each file is written (with the output as given and the file's
    /// path in the site), from whichever thread writes it; throwing simulates a failed write.
    nonisolated(unsafe) public static var beforeWrite: ((_ output: String, _ path: String) throws -> Void)?

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
        private let lock = NSCondition()
        private var madeFolders: Set<String> = []
        private var written: [String] = []
        /// Every path handed to `write`: a path written twice is an error (an attachment must
        /// never replace a generated file, nor the marker list a file twice).
        private var claimed: Set<String> = []
        /// The open marker of the temporary folder, locked while this build runs.
        private var markerLock: Int32 = -1
        private var finished = false
        /// Writes between their check of `finished` and their end.
        private var inFlight = 0
        private var interrupted = false

        /// Whether `abort(interrupt: true)` stopped the session (a signal handler that reports
        /// and exits): the writing thread then has nothing to say.
        public var wasInterrupted: Bool { lock.lock(); defer { lock.unlock() }; return interrupted }

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
            self.temporary = Paths.join(parent, ".\(name).adrsite-tmp-\(getpid())-\(String(UInt32.random(in: 0 ... .max), radix: 16))")
            do {
                try makeDirectory(temporary, exclusive: true)
            } catch {
                throw Failure(message: "cannot write the site: \(error); the previous site was left as it was")
            }
            do {
                // A marker first: every temporary folder is recognisably adrsite's. The list of
                // files is added when the build is complete.
                markerLock = try lockedMarker(in: temporary)
            } catch {
                removeTree(temporary)
                throw Failure(message: "cannot write the site: \(error); the previous site was left as it was")
            }
            madeFolders.insert(temporary)
            // Only now that this build's own folder is locked.
            removeStaleTemporaries(parent: parent, name: name)
        }

        deinit { releaseLock() }

        private func releaseLock() {
            lock.lock()
            let fd = markerLock
            markerLock = -1
            lock.unlock()
            if fd >= 0 { close(fd) }
        }

        /// Writes one file of the site into the temporary folder.
        public func write(_ file: OutputFile) throws {
            let scan = scanRelativePath(file.path)
            guard scan.safe else {
                throw Failure(message: "refusing to write \(file.path): not a path inside the site")
            }
            let target = Paths.join(temporary, file.path)
            let dir: String
            if scan.ascii {
                // parentDirectory(target), without searching the path again character by character.
                dir = scan.lastSlash < 0 ? temporary
                    : temporary + "/" + String(Substring(file.path.utf8.prefix(scan.lastSlash)))
            } else {
                dir = parentDirectory(target)
            }
            do {
                // Folders are made under the lock: another thread may write into the same one.
                lock.lock()
                defer { lock.unlock() }
                // After abort (an interrupt, from another thread) or commit, nothing more is
                // written: making a folder would bring back the removed temporary folder.
                if finished { throw Failure(message: "the build was stopped") }
                guard claimed.insert(file.path).inserted else {
                    throw Failure(message: "\(file.path) would be written twice (two files of the site have that path)")
                }
                if !madeFolders.contains(dir) {
                    try makeDirectories(dir)
                    madeFolders.insert(dir)
                }
                inFlight += 1
            } catch {
                throw Failure(message: "cannot write the site: \(error); the previous site was left as it was")
            }
            // `abort` waits for writes under way before it removes the folder, so that no file
            // lands in a folder it is emptying.
            defer {
                lock.lock()
                inFlight -= 1
                if inFlight == 0 { lock.broadcast() }
                lock.unlock()
            }
            do {
                try beforeWrite?(output, file.path)
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
        /// Returns false when there was nothing to stop: the session had already ended, or its
        /// commit (the swap, a matter of milliseconds) is under way and will complete.
        @discardableResult
        public func abort(interrupt: Bool = false) -> Bool {
            lock.lock()
            guard !finished else { lock.unlock(); return false }
            finished = true
            interrupted = interrupt
            while inFlight > 0 { lock.wait() }
            lock.unlock()
            removeTree(temporary)
            releaseLock()
            return true
        }

        /// Lists every file in the marker, then swaps the new site in.
        public func commit() throws {
            lock.lock()
            if finished {
                lock.unlock()
                throw Failure(message: "the build was stopped; the previous site was left as it was")
            }
            let manifest = [marker] + written.sorted()
            finished = true
            lock.unlock()
            do {
                try writeFile(Paths.join(temporary, marker),
                              Array((SiteWriter.markerHeader + manifest.joined(separator: "\n") + "\n").utf8))
            } catch {
                removeTree(temporary)
                releaseLock()
                throw Failure(message: "cannot write the site: \(error); the previous site was left as it was")
            }
            defer { releaseLock() }
            try swapIn()
        }

        private func swapIn() throws {
            let parent = parentDirectory(outputPath)
            let name = lastPathComponent(outputPath)
            var st = stat()
            // Another build may create the output between the stat and the rename: then exchange.
            if stat(outputPath, &st) != 0 {
                if rename(temporary, outputPath) == 0 { return }
                guard errno == EEXIST || errno == ENOTEMPTY else {
                    let reason = String(cString: strerror(errno))
                    removeTree(temporary)
                    throw Failure(message: "cannot create \(output): \(reason)")
                }
            }
            do {
                if adrsite_exchange_paths(temporary, outputPath) == 0 {
                    // `temporary` now holds the previous site, every file of which adrsite wrote.
                    removeTree(temporary)
                    return
                }
                let old = Paths.join(parent, ".\(name).adrsite-old-\(getpid())-\(String(UInt32.random(in: 0 ... .max), radix: 16))")
                guard rename(outputPath, old) == 0 else {
                    let reason = String(cString: strerror(errno))
                    removeTree(temporary)
                    throw Failure(message: "cannot replace \(output): \(reason)")
                }
                guard rename(temporary, outputPath) == 0 else {
                    let reason = String(cString: strerror(errno))
                    _ = rename(old, outputPath)
                    removeTree(temporary)
                    throw Failure(message: "cannot replace \(output): \(reason)")
                }
                removeTree(old)
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
        var st = stat()
        guard stat(outputPath, &st) == 0 else {
            if isSymbolicLink(outputPath) {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: outputPath)) ?? "?"
                throw Failure(message: "refusing to write the site into \(output): it is a symbolic link to \(target), which does not exist")
            }
            return
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure(message: "refusing to write the site into \(output): it is a file, not a folder")
        }
        // Through a link to a folder too: that folder's content is what the build replaces.
        let root = open(outputPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return }   // unreadable: as an empty folder, as before
        guard let rootDir = fdopendir(root) else { close(root); return }
        defer { closedir(rootDir) }
        var isEmpty = true
        while let entry = readdir(rootDir) {
            if !isDotOrDotDot(entry) { isEmpty = false; break }
        }
        if isEmpty { return }
        // The marker of the folder being listed (another build may swap a new site in meanwhile).
        guard let manifestText = readText(at: root, marker) else {
            throw Failure(message: "refusing to write the site into \(output): the folder is not empty and was not written by adrsite (it has no \(marker) file); choose an empty or new folder")
        }
        let manifest = manifestEntries(manifestText)
        var foreign: [String] = []
        rewinddir(rootDir)
        collectForeign(rootDir, fd: root, relative: "", manifest: manifest, into: &foreign)
        if !foreign.isEmpty {
            let shown = foreign.sorted().prefix(5).joined(separator: ", ") + (foreign.count > 5 ? ", …" : "")
            throw Failure(message: "refusing to replace \(output): it holds files adrsite did not write (\(shown)); move them elsewhere first")
        }
    }

    /// The files a marker lists: every line after the first, as slices of `text` (no copies).
    static func manifestEntries(_ text: String) -> Set<Substring> {
        var text = text
        let offsets = text.withUTF8 { bytes -> [Int]? in
            // A line feed is a character of its own except after a carriage return ("\r\n" is one
            // character): without one, splitting the bytes at line feeds splits the characters.
            guard let base = bytes.baseAddress, memchr(base, 0x0D, bytes.count) == nil else { return nil }
            var offsets: [Int] = []
            offsets.reserveCapacity(bytes.count / 24)
            var at = 0
            while at < bytes.count, let found = memchr(base + at, 0x0A, bytes.count - at) {
                let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
                offsets.append(end)
                at = end + 1
            }
            offsets.append(bytes.count)
            return offsets
        }
        guard let offsets else {
            return Set(text.split(separator: "\n").dropFirst())
        }
        var entries = Set<Substring>(minimumCapacity: offsets.count)
        let utf8 = text.utf8
        var start = 0
        var first = true
        for end in offsets {
            if end > start {
                if first {
                    first = false
                } else {
                    entries.insert(Substring(utf8[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)]))
                }
            }
            start = end + 1
        }
        return entries
    }

    /// Adds to `foreign` every entry under the folder open as `dir` (whose descriptor is `fd`)
    /// that is not a folder and not in the manifest. A symbolic link counts as a file, even to a
    /// folder, and is never followed: adrsite writes none.
    private static func collectForeign(_ dir: OpaquePointer, fd: Int32, relative: String, manifest: Set<Substring>,
                                       into foreign: inout [String]) {
        while let entry = readdir(dir) {
            if isDotOrDotDot(entry) { continue }
            let name = direntName(entry)
            let path = relative.isEmpty ? String(cString: name) : relative + "/" + String(cString: name)
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var st = stat()
                isDirectory = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            if !isDirectory {
                if !manifest.contains(Substring(path)) { foreign.append(path) }
                continue
            }
            let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard sub >= 0 else { continue }
            guard let subDir = fdopendir(sub) else { close(sub); continue }
            collectForeign(subDir, fd: sub, relative: path, manifest: manifest, into: &foreign)
            closedir(subDir)
        }
    }

    /// Removes the temporary folders of builds of the same output that ended without cleaning
    /// up: those whose marker no build holds locked. A folder without a marker is not adrsite's
    /// and stays.
    static func removeStaleTemporaries(parent: String, name: String) {
        guard let dir = opendir(parent) else { return }
        var entries: [String] = []
        while let entry = readdir(dir) {
            if !isDotOrDotDot(entry) { entries.append(String(cString: direntName(entry))) }
        }
        closedir(dir)
        for entry in entries where entry.hasPrefix(".\(name).adrsite-tmp-") || entry.hasPrefix(".\(name).adrsite-old-") {
            let path = Paths.join(parent, entry)
            let fd = open(Paths.join(path, marker), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            // A build at work holds its marker locked.
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            removeTree(path)
        }
    }

    /// Creates the marker of a new temporary folder, locked: under another name first, so that no
    /// other build ever sees it unlocked.
    static func lockedMarker(in folder: String) throws -> Int32 {
        let draft = Paths.join(folder, marker + ".new")
        let fd = open(draft, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(message: "cannot write \(draft): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(message: "cannot lock \(draft): \(reason)")
        }
        do {
            try writeAll(fd, Array(markerHeader.utf8), path: draft)
        } catch {
            close(fd)
            throw error
        }
        guard rename(draft, Paths.join(folder, marker)) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(message: "cannot write \(Paths.join(folder, marker)): \(reason)")
        }
        return fd
    }
}
