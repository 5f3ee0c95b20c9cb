import Foundation
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

    public init() {
        device = 0
        inode = 0
        size = 0
        modified = 0
        modifiedNanoseconds = 0
    }

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

/// What the load stage found in an ADR directory: everything the later stages need from the
/// disk, as values.
public struct LoadedDirectory: Sendable {
    /// The directory as the user named it.
    public var root: String
    /// The directory with every symbolic link resolved (links that leave and come back into the
    /// directory are resolved against it).
    public var realRoot: String
    public var sources: [SourceFile] = []
    /// Every other file (images, attachments), relative paths, sorted.
    public var assets: [String] = []
    /// Why an attachment must not be copied into the site, by path (see AssetPolicy).
    public var assetProblems: [String: String] = [:]
    public var excluded: [Exclusion] = []
    /// The log's own README.md (or index.md) at the top of the directory, which is no decision:
    /// its first heading names the site.
    public var readme: SourceFile?
    public var diagnostics: [Diagnostic] = []

    public init(root: String, realRoot: String? = nil) {
        self.root = root
        self.realRoot = realRoot ?? root
    }
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
        var st = stat()
        guard stat(root, &st) == 0 else {
            var result = LoadedDirectory(root: root)
            result.diagnostics.append(.error("", "cannot open ADR directory: \(errnoText())"))
            return result
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            var result = LoadedDirectory(root: root)
            result.diagnostics.append(.error("", "not a directory"))
            return result
        }
        let realRoot = Paths.real(root) ?? root
        var result = LoadedDirectory(root: root, realRoot: realRoot)
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
        // On all cores: a path's reason takes longer to find than a file takes to read.
        let byFolder = Dictionary(grouping: markdown, by: { Paths.parent($0) })
        let reasons = Parallel.map(markdown.count) { exclusionReason(markdown[$0], siblings: byFolder[Paths.parent(markdown[$0])] ?? []) }
        var keep: [String] = []
        keep.reserveCapacity(markdown.count)
        for (path, reason) in zip(markdown, reasons) {
            if let reason {
                result.excluded.append(Exclusion(path: path, reason: reason))
            } else {
                keep.append(path)
            }
        }
        // Read on all cores, each file into its own slot; the results are then taken in order.
        let paths = keep
        let linked = walker.linkedMarkdown
        let read = Parallel.each(paths.count) { readSource(paths[$0], root: root, linked: linked.contains(paths[$0]),
                                                           options: options) }
        result.sources.reserveCapacity(paths.count)
        for (path, outcome) in zip(paths, read) {
            switch outcome {
            case .success(let source):
                result.sources.append(source)
            case .failure(let problem):
                result.diagnostics.append(.warning(path, problem.message))
            }
        }
        result.excluded.sort { $0.path < $1.path }
        // The log's README names the site.
        for name in ["README.md", "index.md"] where result.excluded.contains(where: { $0.path == name }) {
            if case .success(let (bytes, stamp)) = FileRules.read(name, in: FileRules.Tree(root, name: "the ADR directory"),
                                                                   limit: options.maxFileSize) {
                result.readme = SourceFile(path: name, bytes: bytes, stamp: stamp)
                break
            }
        }
        // Attachments that could run scripts in the site.
        for asset in result.assets {
            if let problem = AssetPolicy.problem(asset, root: root) { result.assetProblems[asset] = problem }
        }
        return result
    }

    /// Which of `paths` (of files outside the log that links lead to) exist.
    public static func existing(_ paths: Set<String>) -> Set<String> {
        paths.filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// One Markdown file: not read again when the caller has it (`Options.unchanged`).
    /// The walk checked the file's folders against the tree (`Walker`); reading it checks the
    /// rest of `FileRules` (a regular file, not through a link, within the limit).
    private static func readSource(_ path: String, root: String, linked: Bool,
                                   options: Options) -> Result<SourceFile, FileRules.Problem> {
        let full = Paths.join(root, path)
        if let unchanged = options.unchanged {
            var st = stat()
            if stat(full, &st) == 0 {
                let stamp = FileStamp(st)
                if unchanged(path, stamp) {
                    return .success(SourceFile(path: path, bytes: [], stamp: stamp, reused: true))
                }
            }
        }
        let read = linked ? FileRules.read(path, in: FileRules.Tree(root, name: "the ADR directory"), limit: options.maxFileSize)
            : FileRules.readFile(at: full, limit: options.maxFileSize)
        switch read {
        case .success(let (bytes, stamp)):
            return .success(SourceFile(path: path, bytes: bytes, stamp: stamp))
        case .failure(let problem):
            return .failure(problem)
        }
    }

    /// Why a Markdown file is not a decision, or nil when it is one. `siblings` are the Markdown
    /// files of its folder.
    static func exclusionReason(_ path: String, siblings: [String]) -> String? {
        let components = path.split(separator: "/")
        if components.dropLast().contains(where: { $0.lowercased() == "templates" || $0.lowercased() == "template" }) {
            return "inside a templates folder"
        }
        let name = String(components.last ?? "")
        let upperStem = Paths.stripExtension(name)
        let stem = upperStem.lowercased()
        if Paths.isFolderIndex(name) {
            // A lone README.md in a subfolder is a folder-per-decision record (`slug/README.md`).
            let otherMarkdown = siblings.filter { $0 != path && !Paths.isFolderIndex(Paths.lastComponent($0)) }
            if components.count > 1 && otherMarkdown.isEmpty { return nil }
            return "index page of its folder"
        }
        if Conventions.repositoryFileStems.contains(stem) && upperStem == upperStem.uppercased() {
            return "repository file, not a decision"
        }
        if Conventions.navigationFileStems.contains(stem) { return "navigation file, not a decision" }
        if isTemplateName(stem) { return "template" }
        return nil
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
        if let t = words.firstIndex(of: "template"), t > 0,
           words[..<t].allSatisfy({ Conventions.recordWords.contains(String($0)) }) {
            return true
        }
        return false
    }
}
