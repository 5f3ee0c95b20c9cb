import ADRCore

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

    /// A file copied from a folder (an image of the ADR directory, a file of a theme's
    /// `assets/`): read only when it is written, and only by `FileRules` (inside `tree`, no
    /// symbolic link out of it, a regular file within `FileRules.attachmentLimit`).
    public init(path: String, copyFrom relative: String, in tree: FileRules.Tree) {
        self.path = path
        self.bytes = []
        self.copyFrom = tree.path(of: relative)
        self.source = Source(tree: tree, relative: relative)
    }

    /// When set, the file's content is this file's (its path, as the user named its folder).
    public private(set) var copyFrom: String?

    /// Where a copied file comes from.
    struct Source: Sendable, Equatable {
        var tree: FileRules.Tree
        var relative: String
    }
    private var source: Source?

    /// The content, reading a copied file from disk.
    public func content() throws -> [UInt8] {
        guard let source, let copyFrom else { return bytes }
        switch FileRules.read(source.relative, in: source.tree, limit: FileRules.attachmentLimit) {
        case .success(let file): return file.bytes
        case .failure(let problem): throw SiteWriter.Failure(message: "cannot copy \(copyFrom): \(problem.message)")
        }
    }
}
