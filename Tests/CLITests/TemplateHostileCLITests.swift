import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hostile template folders, built by the real binary with a time limit: templates are read by
/// the same rules as records (nothing through a symbolic link out of their folder), partials
/// that include themselves and sections nested without end are template errors with their
/// place, and a page that grows without bound stops with an error. The previous site stays,
/// and no temporary folder is left behind.
@Suite struct TemplateHostileCLITests {
    static let good = "# 1. Good\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nFine.\n"

    /// A log in `docs/adr` with `count` records, and `files` beside it.
    static func project(_ files: [String: String] = [:], count: Int = 1) throws -> String {
        var all = files
        all["docs/adr/0001-good.md"] = good
        for n in stride(from: 2, through: count, by: 1) {
            all["docs/adr/\(String(format: "%04d", n))-more.md"] = "# \(n). More \(n)\n\n## Status\n\nAccepted\n"
        }
        return try makeFolder(all)
    }

    static func link(_ path: String, to target: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    /// Builds `docs/adr` into `site` (arguments after those), with a time limit.
    static func build(_ dir: String, _ more: [String] = []) throws -> Run {
        try Run.adrsite(["build", "docs/adr", "-o", "site"] + more, in: dir, timeout: 60)
    }

    /// Files and folders next to the output whose name marks them as adrsite's temporaries.
    static func leftovers(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".adrsite-") }
    }

    static func everyFileText(_ root: String) -> String {
        filesUnder(root).compactMap { FileManager.default.contents(atPath: root + "/" + $0) }
            .map { String(decoding: $0, as: UTF8.self) }.joined()
    }

    // MARK: - Symbolic links out of a templates folder

    @Test(arguments: ["../../secret.txt", "/proc/self/environ"])
    func `a template beside the ADR directory that links outside is refused and never put into a page`(_ target: String) throws {
        let dir = try Self.project(["secret.txt": "TOP-SECRET-VALUE\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.link(dir + "/docs/templates/footer.mustache", to: target)
        let run = try Self.build(dir)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("docs/templates/footer.mustache:1:1: error: symbolic link points outside the templates folder; not followed"),
                "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/site"), "no site is written")
        #expect(!run.stdout.contains("TOP-SECRET") && !run.stderr.contains("TOP-SECRET"))
    }

    @Test func `a template that links inside its own folder is read`() throws {
        let dir = try Self.project(["docs/templates/real-footer.mustache": "<footer>LINKED-FOOTER</footer>"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.link(dir + "/docs/templates/footer.mustache", to: "real-footer.mustache")
        let run = try Self.build(dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOfFile: dir + "/site/index.html", encoding: .utf8).contains("LINKED-FOOTER"))
    }

    @Test(arguments: ["a file", "a folder"])
    func `a link in templates assets to something outside is refused and nothing of it is copied`(_ kind: String) throws {
        let dir = try Self.project(["secret.txt": "TOP-SECRET-VALUE\n", "private/key.txt": "TOP-SECRET-KEY\n",
                                    "docs/templates/assets/logo.txt": "logo\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let name = kind == "a file" ? "leak.txt" : "leakdir"
        try Self.link(dir + "/docs/templates/assets/" + name, to: kind == "a file" ? "../../../secret.txt" : "../../../private")
        let run = try Self.build(dir)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("docs/templates/assets/\(name):1:1: error: symbolic link points outside the templates folder; not followed"),
                "\(run.stderr)")
        #expect(!Self.everyFileText(dir + "/site").contains("TOP-SECRET"))
    }

    @Test func `a FIFO named like a template is refused without blocking the build`() throws {
        let dir = try Self.project(["docs/templates/.keep": ""])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/docs/templates/footer.mustache", 0o644) == 0)
        let run = try Self.build(dir)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("docs/templates/footer.mustache:1:1: error: is a FIFO, not a regular file; not read"), "\(run.stderr)")
    }

    // MARK: - Partials that include themselves, nesting without end

    static let selfIncluding: [(name: String, files: [String: String], error: String)] = [
        ("directly", ["theme/footer.mustache": "<footer>{{> footer}}</footer>"],
         "theme/footer.mustache:1:9: error: partial 'footer' includes itself"),
        ("inside a section", ["theme/footer.mustache": "<footer>\n{{#decisions}}\n  {{>footer}}\n{{/decisions}}</footer>"],
         "theme/footer.mustache:3:3: error: partial 'footer' includes itself"),
        ("through two others", ["theme/footer.mustache": "{{> a}}", "theme/a.mustache": "a {{> b}}",
                                "theme/b.mustache": "b\n{{#title}}{{> footer}}{{/title}}"],
         "theme/footer.mustache:1:1: error: partial 'a' includes itself through a → b → footer → a"),
        ("as a parent", ["theme/footer.mustache": "{{<footer}}{{$x}}y{{/x}}{{/footer}}"],
         "theme/footer.mustache:1:1: error: partial 'footer' includes itself"),
    ]

    @Test(arguments: 0..<selfIncluding.count)
    func `a partial that includes itself is a template error with its place, and the previous site stays`(_ k: Int) throws {
        let c = Self.selfIncluding[k]
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try Self.build(dir)
        try #require(first.status == 0, "\(first.stderr)")
        let before = treeListing(dir + "/site")
        for (name, text) in c.files {
            try FileManager.default.createDirectory(atPath: dir + "/theme", withIntermediateDirectories: true)
            try text.write(toFile: dir + "/" + name, atomically: false, encoding: .utf8)
        }
        let run = try Self.build(dir, ["--templates", "theme"])
        #expect(run.status == 1, "\(c.name): \(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains(c.error), "\(c.name): \(run.stderr)")
        #expect(treeListing(dir + "/site") == before)
        #expect(Self.leftovers(dir) == [])
    }

    @Test func `sections nested 5,000 deep are a template error, not a crash`() throws {
        let dir = try Self.project(["theme/footer.mustache": String(repeating: "{{#a}}", count: 5_000) + "x"
                                        + String(repeating: "{{/a}}", count: 5_000)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.build(dir, ["--templates", "theme"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("theme/footer.mustache:1:601: error: sections are nested more than 100 deep"), "\(run.stderr)")
        #expect(Self.leftovers(dir) == [])
    }

    @Test func `a chain of partials nested deeper than the renderer allows is a template error`() throws {
        var files: [String: String] = ["theme/footer.mustache": "{{> p0}}"]
        for k in 0..<300 { files["theme/p\(k).mustache"] = k == 299 ? "end" : "{{#title}}{{> p\(k + 1)}}{{/title}}" }
        let dir = try Self.project(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.build(dir, ["--templates", "theme"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("error: sections and partials nest ") && run.stderr.contains("; at most 256"), "\(run.stderr)")
    }

    @Test func `a dynamic partial is a template error: a title could name the page's own template`() throws {
        let dir = try Self.project(["theme/footer.mustache": "<footer>{{>*title}}</footer>"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.build(dir, ["--templates", "theme"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("theme/footer.mustache:1:9: error: partial '*title' does not exist: dynamic partials"), "\(run.stderr)")
    }

    // MARK: - Pages without bound

    @Test func `a page that nested loops make larger than 64 MB stops the build with an error naming the loop`() throws {
        let dir = try Self.project(["theme/index.mustache": "<html>\n" + String(repeating: "{{#decisions}}", count: 4)
                                        + String(repeating: "x", count: 10_000) + String(repeating: "{{/decisions}}", count: 4)],
                                   count: 40)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try Self.build(dir)
        try #require(first.status == 0, "\(first.stderr)")
        let before = treeListing(dir + "/site")
        let run = try Self.build(dir, ["--templates", "theme"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("theme/index.mustache:2:43: error: the page is larger than 64 MB; stopped"), "\(run.stderr)")
        #expect(treeListing(dir + "/site") == before)
        #expect(Self.leftovers(dir) == [])
        #expect(peakChildRSSMegabytes() < 1024)
    }

    @Test func `sections over long lists nested in each other stop at the step limit even when they make nothing`() throws {
        let dir = try Self.project(["theme/index.mustache": String(repeating: "{{#decisions}}", count: 6)
                                        + String(repeating: "{{/decisions}}", count: 6)], count: 40)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.build(dir, ["--templates", "theme"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("theme/index.mustache:1:71: error: the page renders more than 16000000 sections and partials; stopped"),
                "\(run.stderr)")
        #expect(Self.leftovers(dir) == [])
    }

    // MARK: - serve

    @Test func `serve reports a partial that includes itself and keeps serving the last good site`() throws {
        let dir = try Self.project(["theme/footer.mustache": "<footer>fine</footer>"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServeProcess(["docs/adr", "--templates", "theme"], in: dir)
        defer { server.stop() }
        let events = try EventStream(port: server.port)
        _ = try events.next("state", timeout: 5)
        try "<footer>{{> footer}}</footer>".write(toFile: dir + "/theme/footer.mustache", atomically: true, encoding: .utf8)
        let broken = try events.next("state", timeout: 10) { $0.contains("\"broken\":true") }
        #expect(broken.contains("theme/footer.mustache:1:9: error: partial 'footer' includes itself"), "\(broken)")
        let page = try RawHTTP.get(port: server.port, path: "/0001-good.html")
        #expect(page.status == 200 && page.body.contains("<footer>fine</footer>"))
        #expect(server.process.isRunning)
    }
}
