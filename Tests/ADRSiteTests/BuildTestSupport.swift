import ADRCore
import ADRSite
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the golden files are stored (`Tests/ADRSiteTests/Golden`), found from this file's path.
/// Fixture logs of this target are `SiteFixtures.own(name)` (SiteTestSupport.swift).
enum GoldenFolder {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
}

/// One site build in memory: the log, the theme and the rendered files.
struct RenderedSite {
    var log: DecisionLog
    var files: [OutputFile]

    /// Renders the log in `directory` with the default theme laid under `templates`.
    init(_ directory: String, options: SiteOptions = SiteOptions(), templates: [String] = []) throws {
        // As `adrsite build --unsafe-html` does: the link stage lets active attachments through.
        var pipeline = Pipeline.Options()
        pipeline.link.allowActiveAttachments = options.unsafeHTML
        log = Pipeline.decisionLog(directory, options: pipeline)
        let theme = try Theme.load(overrides: templates)
        files = try SiteRenderer.render(log, theme: theme, options: options,
                                        siteTitle: SiteRenderer.title(for: log, options: options))
    }

    var paths: [String] { files.map(\.path).sorted() }

    /// The content of the file at `path` (copied files read from disk).
    func bytes(_ path: String) throws -> [UInt8] {
        guard let file = files.first(where: { $0.path == path }) else {
            throw SiteTestError("the site has no \(path); it has \(paths)")
        }
        return try file.content()
    }

    func text(_ path: String) throws -> String { String(decoding: try bytes(path), as: UTF8.self) }

    /// Writes the site into `output` as `adrsite build` does.
    func write(to output: String, input: String) throws {
        try SiteWriter.write(files, to: output, input: input)
    }
}

struct SiteTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Temporary folders

/// A new empty temporary folder (its real path, so symbolic links in /tmp do not matter).
func makeTemporaryFolder(_ label: String = "site") throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("adrsite-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    guard let real = realpath(path, nil) else { return path }
    defer { free(real) }
    return String(cString: real)
}

/// Runs `body` with a new temporary folder that is removed afterwards.
func withTemporaryFolder<T>(_ label: String = "site", _ body: (String) throws -> T) throws -> T {
    let folder = try makeTemporaryFolder(label)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try body(folder)
}

/// Writes `files` (relative path → text) under `folder`, creating folders as needed.
func writeFiles(_ files: [String: String], in folder: String) throws {
    for (name, text) in files {
        let path = folder + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// Copies a fixture log into `folder/name` and returns the copy's path.
func copyFixture(_ fixture: String, into folder: String, as name: String = "adr") throws -> String {
    let target = folder + "/" + name
    try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                            withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: SiteFixtures.own(fixture), toPath: target)
    return target
}

// MARK: - Tree snapshots

/// Everything about one entry of a folder tree that a build could change.
struct TreeEntry: Equatable {
    enum Kind: Equatable { case file, directory, symlink, other }
    var kind: Kind
    var mode: UInt32
    var inode: UInt64
    var size: Int64
    /// Modification time in nanoseconds.
    var modified: Int64
    var bytes: [UInt8]?
    var linkTarget: String?
}

/// Every entry under `root` (hidden ones too, symbolic links not followed), by path relative
/// to `root`; the root itself is `.`.
func snapshotTree(_ root: String) -> [String: TreeEntry] {
    var out: [String: TreeEntry] = [:]
    func visit(_ relative: String) {
        let full = relative == "." ? root : root + "/" + relative
        var st = stat()
        guard lstat(full, &st) == 0 else { return }
        let type = st.st_mode & S_IFMT
        var entry = TreeEntry(kind: .other, mode: UInt32(st.st_mode), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                              modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
        switch type {
        case S_IFREG:
            entry.kind = .file
            entry.bytes = FileManager.default.contents(atPath: full).map { [UInt8]($0) }
        case S_IFLNK:
            entry.kind = .symlink
            entry.linkTarget = try? FileManager.default.destinationOfSymbolicLink(atPath: full)
        case S_IFDIR:
            entry.kind = .directory
        default:
            break
        }
        out[relative] = entry
        if type == S_IFDIR {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: full)) ?? []).sorted() {
                visit(relative == "." ? name : relative + "/" + name)
            }
        }
    }
    visit(".")
    return out
}

/// The differences between two snapshots, one line each: what appeared, disappeared or changed.
func treeDifferences(_ before: [String: TreeEntry], _ after: [String: TreeEntry]) -> [String] {
    var out: [String] = []
    for path in Set(before.keys).union(after.keys).sorted() {
        switch (before[path], after[path]) {
        case (nil, _?): out.append("appeared: \(path)")
        case (_?, nil): out.append("disappeared: \(path)")
        case let (b?, a?) where b != a:
            var what: [String] = []
            if b.kind != a.kind { what.append("kind \(b.kind) → \(a.kind)") }
            if b.bytes != a.bytes { what.append("content") }
            if b.linkTarget != a.linkTarget { what.append("link target") }
            if b.mode != a.mode { what.append("mode") }
            if b.inode != a.inode { what.append("inode (replaced)") }
            if b.modified != a.modified { what.append("modification time") }
            out.append("changed: \(path) (\(what.joined(separator: ", ")))")
        default: break
        }
    }
    return out
}

/// The names in `folder` that look like adrsite's temporary or old-site folders.
func leftoverTemporaries(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        .filter { $0.contains(".adrsite-tmp-") || $0.contains(".adrsite-old-") }.sorted()
}

/// Paths of the regular files under `root`, relative, sorted (hidden files included).
func filePaths(under root: String) -> [String] {
    snapshotTree(root).filter { $0.value.kind == .file }.map(\.key).sorted()
}

// MARK: - Failing writes

/// Makes `SiteWriter.beforeWrite` throw on the Nth file of builds run inside `failingWrites`,
/// and only those: the hook is installed once for the whole test process and reads a task-local
/// plan, so builds of other tests running at the same time are not affected.
enum FailingWrites {
    struct Injected: Error, CustomStringConvertible {
        var path: String
        var description: String { "injected failure before writing \(path)" }
    }

    final class Plan: @unchecked Sendable {
        let failAt: Int
        private let lock = NSLock()
        private var attempted: [String] = []

        init(failAt: Int) { self.failAt = failAt }

        /// The paths the writer was about to write, in order, up to the failing one.
        var paths: [String] { lock.withLock { attempted } }

        func before(_ path: String) throws {
            let count = lock.withLock { attempted.append(path); return attempted.count }
            if count == failAt { throw Injected(path: path) }
        }
    }

    @TaskLocal static var plan: Plan?

    private static let installed: Bool = {
        SiteWriter.beforeWrite = { path in try FailingWrites.plan?.before(path) }
        return true
    }()

    /// Runs `body`; every build in it fails before writing its `failAt`th file (1-based).
    static func run<T>(failAt: Int, _ body: (Plan) throws -> T) rethrows -> T {
        _ = installed
        let plan = Plan(failAt: failAt)
        return try $plan.withValue(plan) { try body(plan) }
    }
}

// MARK: - Text helpers

extension String {
    /// The 1-based line and column (in UTF-8 bytes) of the first occurrence of `needle`.
    func position(of needle: String) -> (line: Int, column: Int)? {
        guard let range = range(of: needle) else { return nil }
        let before = self[..<range.lowerBound]
        let line = before.filter { $0 == "\n" }.count + 1
        let lineStart = before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex
        return (line, before[lineStart...].utf8.count + 1)
    }
}
