import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One Markdown file that may be a decision, as bytes.
public struct SourceFile: Sendable {
    /// Path relative to the ADR directory, `/`-separated.
    public var path: String
    public var bytes: [UInt8]
    /// When and how big the file was when read.
    public var stamp: FileStamp?
    /// True when the file was not read again because the caller had it (see Loader.Options).
    public var reused = false

    public init(path: String, bytes: [UInt8], stamp: FileStamp? = nil, reused: Bool = false) {
        self.path = path
        self.bytes = bytes
        self.stamp = stamp
        self.reused = reused
    }
}

/// What identifies a version of a file without reading it: inode, size and modification time.
public struct FileStamp: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modified: Int64
    public var modifiedNanoseconds: Int64

    public init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(st.st_mtim.tv_nsec)
    }
}

/// A Markdown file that is not a decision, and why.
public struct Exclusion: Sendable, Hashable {
    public var path: String
    public var reason: String
}

/// What the load stage found in an ADR directory.
public struct LoadedDirectory: Sendable {
    /// The directory as the user named it.
    public var root: String
    public var sources: [SourceFile] = []
    /// Every other file (images, attachments), relative paths, sorted.
    public var assets: [String] = []
    public var excluded: [Exclusion] = []
    public var diagnostics: [Diagnostic] = []
}

/// The load stage: walks an ADR directory and reads its Markdown files.
public enum Loader {
    public struct Options: Sendable {
        /// Larger files are reported and skipped.
        public var maxFileSize = 2 * 1024 * 1024
        /// Files whose stamp the caller already read (the preview server's cache): they are
        /// listed with their stamp but not read again.
        public var unchanged: (@Sendable (_ path: String, _ stamp: FileStamp) -> Bool)?
        public init() {}
    }

    /// The file that marks a folder as written by adrsite; such folders are never read as input.
    public static let outputMarker = ".adrsite-output"

    public static func load(_ root: String, options: Options = Options()) -> LoadedDirectory {
        var result = LoadedDirectory(root: root)
        var st = stat()
        guard stat(root, &st) == 0 else {
            result.diagnostics.append(.error("", "cannot open ADR directory: \(errnoText())"))
            return result
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            result.diagnostics.append(.error("", "not a directory"))
            return result
        }
        let realRoot = realPath(root) ?? root
        var walker = Walker(root: root, realRoot: realRoot, options: options)
        walker.visited[DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))] = ""
        walker.walk(relative: "")
        walker.walkLinkedFolders()
        walker.addLinkedFiles()
        let markdown = walker.markdown.sorted()
        result.assets = walker.assets.sorted()
        result.diagnostics = walker.diagnostics
        result.excluded = walker.excluded

        // Decide which Markdown files are decisions; the rest is excluded, with a reason.
        var byFolder: [String: [String]]?
        var keep: [String] = []
        keep.reserveCapacity(markdown.count)
        for path in markdown {
            if isPlainDecisionName(path) { keep.append(path); continue }
            if byFolder == nil { byFolder = Dictionary(grouping: markdown, by: { parentPath($0) }) }
            if let reason = exclusionReason(path, siblings: byFolder?[parentPath(path)] ?? []) {
                result.excluded.append(Exclusion(path: path, reason: reason))
            } else {
                keep.append(path)
            }
        }
        let paths = keep
        // Read on all cores, each file into its own slot; the results are then taken in order.
        let slots = ResultSlots<Result<SourceFile, ReadProblem>>(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            slots.set(index, readSource(paths[index], root: root, options: options))
        }
        result.sources.reserveCapacity(paths.count)
        for (path, outcome) in zip(paths, slots.values) {
            switch outcome {
            case .success(let source):
                result.sources.append(source)
            case .failure(let problem):
                result.diagnostics.append(.warning(path, problem.message))
            }
        }
        result.excluded.sort { $0.path < $1.path }
        return result
    }

    /// One Markdown file: not read again when the caller has it (`Options.unchanged`).
    private static func readSource(_ path: String, root: String, options: Options) -> Result<SourceFile, ReadProblem> {
        let full = joinPath(root, path)
        if let unchanged = options.unchanged {
            var st = stat()
            if stat(full, &st) == 0 {
                let stamp = FileStamp(st)
                if unchanged(path, stamp) {
                    return .success(SourceFile(path: path, bytes: [], stamp: stamp, reused: true))
                }
            }
        }
        switch readFile(full, limit: options.maxFileSize) {
        case .success(let (bytes, stamp)):
            return .success(SourceFile(path: path, bytes: bytes, stamp: stamp))
        case .failure(let problem):
            return .failure(problem)
        }
    }

    /// Names that `exclusionReason` looks at (lowercased stems), besides anything with `template`.
    private static let specialStems: Set<String> = [
        "readme", "index", "_index", "summary", "_sidebar",
        "contributing", "changelog", "license", "licence", "code_of_conduct", "security", "authors", "notice",
    ]

    private static let templateBytes = Array("template".utf8)
    private static let markdownExtension = Array(".markdown".utf8)
    private static let mdExtension = Array(".md".utf8)

    /// True when `exclusionReason` certainly returns nil for `path`, found cheaply: an ASCII
    /// path with no `template` in it (any case) whose stem is none of `specialStems`. Otherwise
    /// false, and `exclusionReason` decides.
    static func isPlainDecisionName(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { bytes -> Bool in
            guard let last = bytes.last, last != UInt8(ascii: "/") else { return false }
            var nameStart = 0
            let template = templateBytes
            var matched = 0
            for (i, byte) in bytes.enumerated() {
                if byte >= 0x80 { return false }
                if byte == UInt8(ascii: "/") { nameStart = i + 1 }
                let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                // Only a `t` can start "template" again after a mismatch (its sole border is `t`,
                // which cannot be followed by anything but the `e` that completes it).
                matched = lower == template[matched] ? matched + 1 : (lower == template[0] ? 1 : 0)
                if matched == template.count { return false }
            }
            var stemEnd = bytes.count
            func endsWith(_ suffix: [UInt8]) -> Bool {
                guard stemEnd - nameStart >= suffix.count else { return false }
                for (k, c) in suffix.enumerated() {
                    let byte = bytes[stemEnd - suffix.count + k]
                    if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != c { return false }
                }
                return true
            }
            if endsWith(markdownExtension) { stemEnd -= 9 } else if endsWith(mdExtension) { stemEnd -= 3 }
            // The longest special stem has 15 characters.
            if stemEnd - nameStart > 15 { return true }
            let stem = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<stemEnd]), as: UTF8.self)
            return !specialStems.contains(stem.lowercased())
        }
    }

    /// Why a Markdown file is not a decision, or nil when it is one.
    static func exclusionReason(_ path: String, siblings: [String]) -> String? {
        let components = path.split(separator: "/")
        if components.dropLast().contains(where: { $0.lowercased() == "templates" || $0.lowercased() == "template" }) {
            return "inside a templates folder"
        }
        let name = String(components.last ?? "")
        let stem = stripExtension(name).lowercased()
        if stem == "readme" || stem == "index" || stem == "_index" {
            // A lone README.md in a subfolder is a folder-per-decision record (`slug/README.md`).
            let otherMarkdown = siblings.filter { $0 != path && !isIndexName($0) }
            if components.count > 1 && otherMarkdown.isEmpty { return nil }
            return "index page of its folder"
        }
        let upperStem = stripExtension(name)
        if ["contributing", "changelog", "license", "licence", "code_of_conduct", "security", "authors", "notice"]
            .contains(stem) && upperStem == upperStem.uppercased() {
            return "repository file, not a decision"
        }
        if stem == "summary" || stem == "_sidebar" { return "navigation file, not a decision" }
        if isTemplateName(stem) { return "template" }
        return nil
    }

    private static func isIndexName(_ path: String) -> Bool {
        let stem = stripExtension(String(path.split(separator: "/").last ?? "")).lowercased()
        return stem == "readme" || stem == "index" || stem == "_index"
    }

    /// `template.md`, `adr-template.md`, `0000-template.md`, `0000-adr-template-madr.md`, … but not
    /// a decision that merely talks about templates, such as `0004-use-mustache-templates.md`.
    static func isTemplateName(_ stem: String) -> Bool {
        if stem == "template" || stem.hasSuffix("-template") || stem.hasSuffix("_template")
            || stem.hasSuffix(".template") || stem.hasPrefix("template-") || stem.hasPrefix("template_") {
            return true
        }
        let digits = stem.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty && digits.allSatisfy({ $0 == "0" }) && stem.contains("template") { return true }
        // A template named for the kind of record it is, with variants after it:
        // `adr-template-minimal`, `adr-template-bare`, `decision-record-template-v2`.
        let words = stem.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." || $0 == " " })
        if let t = words.firstIndex(of: "template"), t > 0, words[..<t].allSatisfy({ recordWords.contains(String($0)) }) {
            return true
        }
        return false
    }

    /// Words that name a kind of decision record.
    private static let recordWords: Set<String> = [
        "adr", "adrs", "madr", "decision", "decisions", "record", "records", "architecture", "architectural",
        "nygard", "lightweight", "y", "statement",
    ]

    // MARK: - Walking

    struct DirectoryID: Hashable { var device: UInt64; var inode: UInt64 }

    struct Walker {
        let root: String
        let realRoot: String
        let options: Options
        /// Folders already walked, with the relative path they were walked as.
        var visited: [DirectoryID: String] = [:]
        /// Folders reached through a symbolic link, walked after the rest.
        var linkedFolders: [(String, DirectoryID)] = []
        var markdown: [String] = []
        /// Markdown files read so far, by device and inode (filled in by `addLinkedFiles`).
        var files: [DirectoryID: String] = [:]
        var linkedFiles: [(String, DirectoryID)] = []
        var assets: [String] = []
        var excluded: [Exclusion] = []
        var diagnostics: [Diagnostic] = []

        init(root: String, realRoot: String, options: Options) {
            self.root = root
            self.realRoot = realRoot
            self.options = options
        }

        mutating func walkLinkedFolders() {
            var next = 0
            while next < linkedFolders.count {
                let (rel, id) = linkedFolders[next]
                next += 1
                if let first = visited[id] {
                    if first.isEmpty || rel.hasPrefix(first + "/") {
                        // The link leads back to a folder that holds it.
                        let target = first.isEmpty ? "the ADR directory" : "`\(first)`"
                        diagnostics.append(.warning(rel, "symbolic link loop (leads back to \(target)); not followed"))
                    } else {
                        diagnostics.append(.warning(rel, "symbolic link to `\(first)`, which is already read; not read twice"))
                    }
                    continue
                }
                visited[id] = rel
                walk(relative: rel)
            }
        }

        mutating func walk(relative: String) {
            let dirPath = relative.isEmpty ? root : joinPath(root, relative)
            guard let dir = opendir(dirPath) else {
                diagnostics.append(.warning(relative, "cannot read directory: \(errnoText())"))
                return
            }
            var entries: [(name: String, type: UInt8)] = []
            while let entry = readdir(dir) {
                let cName = direntName(entry)
                let name = String(decoding: UnsafeRawBufferPointer(start: cName, count: strlen(cName)), as: UTF8.self)
                if name == "." || name == ".." { continue }
                entries.append((name, entry.pointee.d_type))
            }
            closedir(dir)
            if !relative.isEmpty && entries.contains(where: { $0.name == Loader.outputMarker }) {
                excluded.append(Exclusion(path: relative, reason: "a site written by adrsite"))
                return
            }
            entries.sort { $0.name < $1.name }
            for (name, type) in entries {
                if name.hasPrefix(".") || name == "node_modules" { continue }
                let rel = relative.isEmpty ? name : relative + "/" + name
                if type == UInt8(DT_REG) {
                    // A regular file (readdir says so without a stat): no need to look further.
                    // Its identity is needed only against links to Markdown files (`addLinkedFiles`).
                    if isMarkdownName(name) { markdown.append(rel) } else { assets.append(rel) }
                    continue
                }
                if type != UInt8(DT_DIR) && type != UInt8(DT_LNK) && type != UInt8(DT_UNKNOWN) {
                    continue   // a device, pipe or socket: neither read nor copied
                }
                let full = joinPath(root, rel)
                var st = stat()
                guard lstat(full, &st) == 0 else {
                    diagnostics.append(.warning(rel, "cannot read: \(errnoText())"))
                    continue
                }
                let isLink = (st.st_mode & S_IFMT) == S_IFLNK
                if isLink {
                    guard let target = realPath(full) else {
                        diagnostics.append(.warning(rel, "symbolic link points nowhere (\(errnoText())); skipped"))
                        continue
                    }
                    if target != realRoot && !target.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/") {
                        diagnostics.append(.warning(rel, "symbolic link points outside the ADR directory; not followed"))
                        continue
                    }
                    guard stat(full, &st) == 0 else {
                        diagnostics.append(.warning(rel, "cannot follow symbolic link: \(errnoText())"))
                        continue
                    }
                }
                let type = st.st_mode & S_IFMT
                if type == S_IFDIR {
                    let id = DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
                    if isLink {
                        // Followed once every real folder is walked, so a folder is read under its own name.
                        linkedFolders.append((rel, id))
                    } else if let first = visited[id] {
                        diagnostics.append(.warning(rel, "same folder as `\(first)`, which is already read; not read twice"))
                    } else {
                        visited[id] = rel
                        walk(relative: rel)
                    }
                } else if type == S_IFREG {
                    guard isMarkdownName(name) else { assets.append(rel); continue }
                    if isLink {
                        // Read after the real files, so a decision is read under its own name.
                        linkedFiles.append((rel, DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))))
                    } else {
                        markdown.append(rel)
                    }
                }
            }
        }

        /// Markdown files reached through a symbolic link, unless the file was read already.
        mutating func addLinkedFiles() {
            guard !linkedFiles.isEmpty else { return }
            // The identity of every real Markdown file, in the order they were found.
            for rel in markdown {
                var st = stat()
                if lstat(joinPath(root, rel), &st) == 0 {
                    files[DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))] = rel
                }
            }
            for (rel, id) in linkedFiles {
                if let first = files[id] {
                    diagnostics.append(.warning(rel, "symbolic link to `\(first)`, which is already read; not read twice"))
                    continue
                }
                files[id] = rel
                markdown.append(rel)
            }
        }
    }

    // MARK: - Reading

    struct ReadProblem: Error { var message: String }

    static func readFile(_ path: String, limit: Int) -> Result<([UInt8], FileStamp), ReadProblem> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(ReadProblem(message: "cannot read file: \(errnoText())")) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(ReadProblem(message: "cannot read file: \(errnoText())")) }
        let size = Int(st.st_size)
        if size > limit {
            return .failure(ReadProblem(message: "file is \(size) bytes, larger than the limit of \(limit) bytes; skipped"))
        }
        // One byte more than the size, so that the read that finds the end needs no more room.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                // The file may have grown since fstat; read on, within the limit.
                if bytes.count >= limit + 1 { break }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count / 2)))
            }
            let n = bytes.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + filled, raw.count - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(ReadProblem(message: "cannot read file: \(errnoText())"))
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(bytes.count - filled)
        if bytes.count > limit {
            return .failure(ReadProblem(message: "file is larger than the limit of \(limit) bytes; skipped"))
        }
        return .success((bytes, FileStamp(st)))
    }
}

// MARK: - Path helpers

func isMarkdownName(_ name: String) -> Bool {
    let lower = name.lowercased()
    return lower.hasSuffix(".md") || lower.hasSuffix(".markdown")
}

func stripExtension(_ name: String) -> String {
    let lower = name.lowercased()
    if lower.hasSuffix(".markdown") { return String(name.dropLast(9)) }
    if lower.hasSuffix(".md") { return String(name.dropLast(3)) }
    return name
}

func parentPath(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return String(path[..<slash])
}

func lastComponent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
}

public func joinPath(_ a: String, _ b: String) -> String {
    if a.isEmpty { return b }
    if b.isEmpty { return a }
    return a.hasSuffix("/") ? a + b : a + "/" + b
}

func errnoText() -> String { String(cString: strerror(errno)) }

/// The name of a directory entry, in place: a C string that lives until the next `readdir`.
/// (A dirent is only as long as its name, `d_reclen`: copying the 256-byte `d_name` field reads
/// past the end of the last entry of readdir's buffer.)
package func direntName(_ entry: UnsafeMutablePointer<dirent>) -> UnsafePointer<CChar> {
    UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \dirent.d_name)!)
        .assumingMemoryBound(to: CChar.self)
}

package func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}
