#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one rule set for every file adrsite reads or copies: records, templates, theme assets
/// and attachments.
///
/// - A file is read only inside its *tree* (the ADR directory, a templates folder): the path
///   relative to the tree has no `..` and no empty or absolute part, and every symbolic link on
///   the way must lead to a place inside the tree's real path. `/proc/self/environ` behind a
///   link in `templates/` is refused like `/etc/passwd` behind a link in the ADR directory.
/// - It is a regular file: a folder, FIFO, socket or device is refused (opening a FIFO would
///   block the build).
/// - It is at most `limit` bytes, checked before and while reading (a file that grows is cut
///   off and refused).
/// - An attachment copied into the site is of a passive type (`passiveTypeProblem`): a static
///   host must never serve it as a page or a script. SVG files are passive only when
///   `AssetPolicy.svgProblem` finds nothing in them.
///
/// API:
/// - `Tree(path, name:)`: a folder and its real path, resolved once; `name` is how messages
///   call it ("the ADR directory", "the templates folder").
/// - `resolve(_:in:)`: the real path a relative path leads to, or the problem.
/// - `read(_:in:limit:)`: the bytes and the stamp of a file, or the problem.
/// - `files(under:in:)`: the regular files under a folder of the tree (hidden names skipped),
///   with a problem for each entry that breaks the rules.
/// - `passiveTypeProblem(_:)`: why a file name is not of a passive type, or nil.
///
/// A problem is a sentence to follow the file's path in a diagnostic: `path:1:1: warning: symbolic
/// link points outside the templates folder; not read`.
public enum FileRules {
    /// Largest template or theme file.
    public static let templateLimit = 4 << 20
    /// Largest attachment copied into the site.
    public static let attachmentLimit = 256 << 20

    /// A folder whose files may be read, with its real path.
    public struct Tree: Sendable, Hashable {
        /// The folder as the user named it.
        public let path: String
        /// Its real path (symbolic links resolved), or `path` when it does not exist.
        public let realPath: String
        /// How messages call it: "the ADR directory", "the templates folder".
        public let name: String

        public init(_ path: String, name: String) {
            self.path = path
            self.realPath = Paths.real(path) ?? path
            self.name = name
        }

        /// True when `real` (a real path) is the tree's folder or inside it.
        public func contains(real: String) -> Bool { Paths.isInside(real, root: realPath) }

        /// `relative` under the folder as the user named it.
        public func path(of relative: String) -> String { Paths.join(path, relative) }
    }

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(_ message: String) { self.message = message }
    }

    /// True when `relative` names something inside a tree as written: not empty, not absolute,
    /// no NUL byte, no empty, `.` or `..` part.
    public static func isPlainRelativePath(_ relative: String) -> Bool {
        guard !relative.isEmpty, !relative.hasPrefix("/"), !relative.utf8.contains(0) else { return false }
        return !relative.split(separator: "/", omittingEmptySubsequences: false)
            .contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    /// The real path `relative` leads to, when it stays inside `tree`.
    public static func resolve(_ relative: String, in tree: Tree) -> Result<String, Problem> {
        guard isPlainRelativePath(relative) else { return .failure(Problem("not a path inside \(tree.name); not read")) }
        let full = tree.path(of: relative)
        guard let real = Paths.real(full) else {
            var st = stat()
            if lstat(full, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
                return .failure(Problem("symbolic link points nowhere (\(errnoText())); not read"))
            }
            return .failure(Problem("cannot read: \(errnoText())"))
        }
        guard tree.contains(real: real) else {
            return .failure(Problem("symbolic link points outside \(tree.name); not followed"))
        }
        return .success(real)
    }

    /// The bytes of `relative` under `tree`, by the rules above.
    public static func read(_ relative: String, in tree: Tree, limit: Int) -> Result<(bytes: [UInt8], stamp: FileStamp), Problem> {
        switch resolve(relative, in: tree) {
        case .success(let real): return readFile(at: real, limit: limit)
        case .failure(let problem): return .failure(problem)
        }
    }

    /// The bytes of the file at `path`, a path whose folders are known to be inside the tree
    /// (the real path `resolve` gives, or one the loader's walk of the tree has checked): a
    /// regular file, not through a link, at most `limit` bytes.
    public static func readFile(at path: String, limit: Int) -> Result<(bytes: [UInt8], stamp: FileStamp), Problem> {
        // Without following a link that was swapped in since; without blocking on a FIFO
        // (O_NONBLOCK does not change how a regular file is read).
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            return .failure(Problem(errno == ELOOP ? "symbolic link changed while reading; not read" : "cannot read: \(errnoText())"))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(Problem("cannot read: \(errnoText())")) }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            return .failure(Problem("is \(kind(st.st_mode)), not a regular file; not read"))
        }
        let size = Int(st.st_size)
        if size > limit {
            return .failure(Problem("file is \(size) bytes, larger than the limit of \(limit) bytes; not read"))
        }
        // One byte more than the size, so that the read that finds the end needs no more room.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                // The file grew since fstat: read on, within the limit.
                if bytes.count > limit { break }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count / 2)))
            }
            let n = bytes.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + filled, raw.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Problem("cannot read: \(errnoText())"))
            }
            if n == 0 { break }
            filled += n
        }
        if filled > limit {
            return .failure(Problem("file is larger than the limit of \(limit) bytes; not read"))
        }
        bytes.removeLast(bytes.count - filled)
        return .success((bytes, FileStamp(st)))
    }

    /// The regular files under the folder `relative` of `tree` (`""`: the tree itself), as paths
    /// relative to that folder, sorted; names starting with `.` are skipped. A symbolic link is
    /// followed only inside the tree, and a folder is walked once however it is reached. Entries
    /// that break the rules (links out of the tree, FIFOs, sockets, devices) come with a problem.
    public static func files(under relative: String, in tree: Tree) -> (files: [String], problems: [(path: String, problem: Problem)]) {
        var files: [String] = []
        var problems: [(String, Problem)] = []
        var visited = Set<[UInt64]>()
        func walk(_ rel: String, as shown: String) {
            let full = rel.isEmpty ? tree.path : tree.path(of: rel)
            var st = stat()
            guard stat(full, &st) == 0 else { return }
            guard visited.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted else { return }
            guard let dir = opendir(full) else {
                problems.append((shown, Problem("cannot read folder: \(errnoText())")))
                return
            }
            var names: [String] = []
            while let entry = readdir(dir) {
                let cName = direntName(entry)
                let name = String(decoding: UnsafeRawBufferPointer(start: cName, count: strlen(cName)), as: UTF8.self)
                if !name.hasPrefix(".") { names.append(name) }
            }
            closedir(dir)
            for name in names.sorted() {
                let childRel = rel.isEmpty ? name : rel + "/" + name
                let childShown = shown.isEmpty ? name : shown + "/" + name
                let real: String
                switch resolve(childRel, in: tree) {
                case .success(let path): real = path
                case .failure(let problem): problems.append((childShown, problem)); continue
                }
                guard stat(real, &st) == 0 else { problems.append((childShown, Problem("cannot read: \(errnoText())"))); continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: walk(childRel, as: childShown)
                case S_IFREG: files.append(childShown)
                default: problems.append((childShown, Problem("is \(kind(st.st_mode)), not a regular file; not read")))
                }
            }
        }
        walk(relative, as: "")
        return (files.sorted(), problems)
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "not a regular file"
        }
    }

    // MARK: - Passive file types

    /// File types a static host (GitHub Pages, nginx, Apache with the common MIME tables) serves
    /// as something a browser shows or downloads but never runs: images, PDF, plain text, office
    /// and data formats, archives, audio and video. Everything else (`.html`, `.shtml`, `.xml`,
    /// `.xsd`, `.rng`, `.js`, `.php`, files without an extension, …) is not copied. `svg` is
    /// listed, and is copied only when `AssetPolicy.svgProblem` finds no script or external
    /// reference in it.
    public static let passiveExtensions: Set<String> = [
        // images
        "png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "tif", "tiff", "heic", "heif", "jxl", "svg",
        // documents and text
        "pdf", "txt", "text", "csv", "tsv", "log", "diff", "patch", "json", "yaml", "yml", "toml", "sql", "rtf",
        "dot", "gv", "puml", "plantuml", "mmd", "drawio", "excalidraw", "epub",
        // office
        "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "odg", "vsdx", "numbers", "pages",
        // archives
        "zip", "gz", "tgz", "tar", "7z", "bz2", "xz", "zst",
        // audio and video
        "mp4", "webm", "mov", "mp3", "ogg", "oga", "ogv", "wav", "m4a", "flac",
    ]

    /// Extensions a misconfigured server runs or serves as a page even when another extension
    /// follows (Apache's mod_mime reads every extension of `x.php.png`).
    static let activeInnerExtensions: Set<String> = [
        "html", "htm", "shtml", "shtm", "xhtml", "xht", "php", "php3", "php4", "php5", "php7", "phtml", "phar",
        "pl", "cgi", "py", "rb", "asp", "aspx", "jsp", "js", "mjs", "xml", "xsl", "xslt", "svg", "svgz",
    ]

    /// Why a file named `path` is not of a passive type, or nil when it is.
    public static func passiveTypeProblem(_ path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let parts = name.lowercased().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1, let ext = parts.last, !ext.isEmpty else {
            return "a file without an extension may be served as a page"
        }
        guard passiveExtensions.contains(ext) else { return "a .\(ext) file is not of a passive type and may run scripts in the site" }
        if let inner = parts.dropFirst().dropLast().first(where: { activeInnerExtensions.contains($0) }) {
            return "a file named .\(inner).\(ext) may be run as .\(inner) by a web server"
        }
        return nil
    }
}
