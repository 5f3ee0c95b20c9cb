import Foundation
import Testing
@testable import ADRCore

/// The one rule set for files adrsite reads or copies: inside the tree, regular, within a limit.
@Suite struct FileRulesTests {
    /// A tree with a file, a link inside, links out (to a file, a folder, /proc), a dangling
    /// link and a FIFO; and a file outside it.
    static func tree() throws -> (root: String, tree: FileRules.Tree) {
        let base = try temporaryLog(["tree/a.txt": "inside\n", "tree/sub/b.txt": "deeper\n", "outside/secret.txt": "secret\n"])
        let root = base + "/tree"
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: root + "/inner-link.txt", withDestinationPath: "sub/b.txt")
        try fm.createSymbolicLink(atPath: root + "/out.txt", withDestinationPath: "../outside/secret.txt")
        try fm.createSymbolicLink(atPath: root + "/out-dir", withDestinationPath: "../outside")
        try fm.createSymbolicLink(atPath: root + "/environ", withDestinationPath: "/proc/self/environ")
        try fm.createSymbolicLink(atPath: root + "/dangling", withDestinationPath: "nowhere")
        #expect(mkfifo(root + "/fifo.txt", 0o644) == 0)
        return (root, FileRules.Tree(root, name: "the tree"))
    }

    @Test func `files inside the tree are read, also through a link that stays inside`() throws {
        let (root, tree) = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        #expect(try FileRules.read("a.txt", in: tree, limit: 100).get().bytes == Array("inside\n".utf8))
        #expect(try FileRules.read("inner-link.txt", in: tree, limit: 100).get().bytes == Array("deeper\n".utf8))
        #expect(try FileRules.read("sub/b.txt", in: tree, limit: 100).get().bytes == Array("deeper\n".utf8))
    }

    @Test(arguments: [
        ("out.txt", "symbolic link points outside the tree; not followed"),
        ("out-dir/secret.txt", "symbolic link points outside the tree; not followed"),
        ("environ", "symbolic link points outside the tree; not followed"),
        ("dangling", "symbolic link points nowhere (No such file or directory); not read"),
        ("fifo.txt", "is a FIFO, not a regular file; not read"),
        ("sub", "is a folder, not a regular file; not read"),
        ("../outside/secret.txt", "not a path inside the tree; not read"),
        ("/etc/passwd", "not a path inside the tree; not read"),
        ("sub//b.txt", "not a path inside the tree; not read"),
        ("a.txt\0x", "not a path inside the tree; not read"),
    ])
    func `a file outside the tree, behind a link out, or not regular is refused`(_ path: String, _ message: String) throws {
        let (root, tree) = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        switch FileRules.read(path, in: tree, limit: 100) {
        case .success: Issue.record("\(path) was read")
        case .failure(let problem): #expect(problem.message == message)
        }
    }

    @Test func `a file over the limit is refused`() throws {
        let (root, tree) = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        #expect(throws: FileRules.Problem("file is 7 bytes, larger than the limit of 6 bytes; not read")) {
            try FileRules.read("a.txt", in: tree, limit: 6).get()
        }
        #expect(try FileRules.read("a.txt", in: tree, limit: 7).get().bytes.count == 7)
    }

    @Test func `a listing follows links only inside the tree and names every entry it refuses`() throws {
        let (root, tree) = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        try FileManager.default.createSymbolicLink(atPath: root + "/sub/loop", withDestinationPath: "..")
        let listed = FileRules.files(under: "", in: tree)
        #expect(listed.files == ["a.txt", "inner-link.txt", "sub/b.txt"])
        #expect(listed.problems.map(\.path).sorted() == ["dangling", "environ", "fifo.txt", "out-dir", "out.txt"])
    }
}
