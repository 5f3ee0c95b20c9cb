import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every kind of bad or hostile input of the hardening issue, each next to a good record, built
/// by the real binary: the build ends (within a time limit: no hang), says what is wrong with
/// `path:line:col: warning: message`, and still builds the rest of the log.
@Suite struct HostileInputCLITests {
    /// One hostile input: the files beside `adr/0001-good.md`, how to make what cannot be written
    /// as bytes (links, folders, modes), the diagnostics (as `path:line:col: warning: start of
    /// the message`) and the decisions that must have a page.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var files: [String: [UInt8]] = [:]
        var setup: @Sendable (String) throws -> Void = { _ in }
        var diagnostics: [String] = []
        var decisions: Int
        /// Further checks on the output folder and the run.
        var check: @Sendable (_ site: String, _ run: Run) throws -> Void = { _, _ in }
        var testDescription: String { name }
    }

    static let good = "# 1. Good\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nFine.\n"

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func page(_ site: String, _ name: String) throws -> String {
        let data = try #require(FileManager.default.contents(atPath: site + "/" + name), "\(name) was not written")
        return String(decoding: data, as: UTF8.self)
    }

    static let cases: [Case] = [
        Case(name: "an empty file", files: ["0002-empty.md": []],
             diagnostics: ["adr/0002-empty.md:1:1: warning: file is empty; skipped"], decisions: 1),
        Case(name: "a binary file", files: ["0002-binary.md": Array((0...255).map { UInt8($0) }) + Array(repeating: 0, count: 4096)],
             diagnostics: ["adr/0002-binary.md:1:1: warning: file contains NUL bytes and looks binary; skipped"], decisions: 1),
        Case(name: "a NUL byte in text", files: ["0002-nul.md": bytes("# 2. Nul\0here\n\n## Status\n\nAccepted\n")],
             diagnostics: ["adr/0002-nul.md:1:9: warning: file contains NUL bytes"], decisions: 1),
        Case(name: "invalid UTF-8", files: ["0002-latin1.md": bytes("# 2. Caf") + [0xE9, 0xFF] + bytes(" menu\n\n## Status\n\nAccepted\n")],
             diagnostics: ["adr/0002-latin1.md:1:9: warning: file is not valid UTF-8; invalid bytes are shown as \u{FFFD}"],
             decisions: 2, check: { (site: String, _: Run) throws in
                 #expect(try page(site, "0002-latin1.html").contains("Caf\u{FFFD}\u{FFFD} menu"))
             }),
        Case(name: "a 50 MB file", setup: { (adr: String) throws in
                 try #require(FileManager.default.createFile(atPath: adr + "/0002-huge.md", contents: Data("# 2. Huge\n\n".utf8)))
                 let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: adr + "/0002-huge.md"))
                 try handle.seekToEnd()
                 let chunk = Data(repeating: UInt8(ascii: "w"), count: 1 << 20)
                 for _ in 0..<50 { handle.write(chunk) }
                 try handle.close()
             },
             diagnostics: ["adr/0002-huge.md:1:1: warning: file is 52428811 bytes, larger than the limit of 2097152 bytes; not read"],
             decisions: 1),
        Case(name: "a line of 1 MB", files: ["0002-long-line.md": bytes("# 2. Long line\n\n## Status\n\nAccepted\n\n")
                                                + Array(repeating: UInt8(ascii: "x"), count: 1 << 20) + [0x0A]],
             decisions: 2, check: { (site: String, _: Run) throws in
                 #expect(try page(site, "0002-long-line.html").contains(String(repeating: "x", count: 1 << 20)))
             }),
        Case(name: "10,000 links in one file, half of them broken",
             files: ["0002-links.md": bytes("# 2. Links\n\n## Status\n\nAccepted\n\n"
                + (0..<10_000).map { $0 % 2 == 0 ? "[ok \($0)](0001-good.md)" : "[broken \($0)](missing-\($0).md)" }
                    .joined(separator: "\n") + "\n")],
             diagnostics: ["adr/0002-links.md:8:1: warning: broken link: missing-1.md does not exist",
                           "adr/0002-links.md:10006:1: warning: broken link: missing-9999.md does not exist"],
             decisions: 2, check: { (site: String, run: Run) throws in
                 #expect(run.stderr.components(separatedBy: "warning: broken link").count - 1 == 5_000)
                 let html = try page(site, "0002-links.html")
                 // 5,000 in the body, and the previous/next links.
                 #expect(html.components(separatedBy: "href=\"0001-good.html\"").count - 1 == 5_002)
             }),
        Case(name: "lists nested 1,000 deep", files: ["0002-lists.md": bytes("# 2. Lists\n\n## Status\n\nAccepted\n\n"
                + (0..<1_000).map { String(repeating: "  ", count: $0) + "- level \($0)\n" }.joined())],
             decisions: 2, check: { (site: String, _: Run) throws in
                 #expect(try page(site, "0002-lists.html").contains("level 999"))
             }),
        Case(name: "block quotes nested 50,000 deep, emphasis and brackets 50,000 deep",
             files: ["0002-quotes.md": bytes("# 2. Quotes\n\n## Status\n\nAccepted\n\n" + String(repeating: ">", count: 50_000)
                + " deep\n\n" + String(repeating: "*a ", count: 50_000) + "b" + String(repeating: "*", count: 50_000)
                + "\n\n" + String(repeating: "[", count: 50_000) + "x" + String(repeating: "](y)", count: 50_000) + "\n\n"
                // The same in a table cell, and right after a table: parsed again by the table step.
                + "| a | b |\n|---|---|\n| " + String(repeating: "*a ", count: 20_000) + "x" + String(repeating: " b*", count: 20_000)
                + " | c |\n" + String(repeating: "- ", count: 20_000) + "x\n")],
             decisions: 2, check: { (site: String, _: Run) throws in
                 #expect(try page(site, "0002-quotes.html").contains("deep"))
             }),
        Case(name: "a table of 4,000 rows of reference links",
             files: ["0002-table.md": bytes("# 2. Table\n\n## Status\n\nAccepted\n\n| a | b |\n|---|---|\n"
                + (0..<4_000).map { "| [r\($0)] | x |\n" }.joined() + "\n"
                + (0..<4_000).map { "[r\($0)]: 0001-good.md#r\($0)\n" }.joined())],
             diagnostics: ["adr/0002-table.md:9:3: warning: link to #r0: 0001-good.md has no heading with that anchor"],
             decisions: 2, check: { (site: String, _: Run) throws in
                 #expect(try page(site, "0002-table.html").contains("<a href=\"0001-good.html#r3999\">r3999</a>"))
                 // Every cell once held a copy of the table's whole parse: gigabytes.
                 #expect(peakChildRSSMegabytes() < 1024)
             }),
        Case(name: "10,000 small tables, each with a reference link",
             files: ["0002-tables.md": bytes("# 2. Tables\n\n## Status\n\nAccepted\n\n"
                + (0..<10_000).map { "| a |\n|---|\n| [r\($0)] |\n\n" }.joined()
                + (0..<10_000).map { "[r\($0)]: 0001-good.md\n" }.joined())],
             decisions: 2, check: { (site: String, _: Run) throws in
                 // Each table was parsed with all 10,000 definitions: quadratic, minutes.
                 #expect(try page(site, "0002-tables.html").contains("<a href=\"0001-good.html\">r9999</a>"))
             }),
        Case(name: "10,000 headings of the same name",
             files: ["0002-headings.md": bytes("# 2. Headings\n\n## Status\n\nAccepted\n\n"
                + String(repeating: "### Same\n\n", count: 10_000))],
             decisions: 2, check: { (site: String, _: Run) throws in
                 let html = try page(site, "0002-headings.html")
                 #expect(html.contains("id=\"same\"") && html.contains("id=\"same-9999\""))
             }),
        Case(name: "a metadata table with empty cells",
             files: ["0002-cells.md": bytes("# 2. Cells\n\n| Metadata | Value |\n|---|---|\n||2020-04-30|\n| Status | |\n|| Superseded |\n| | |\n\n## Context\n\nText.\n")],
             diagnostics: ["adr/0002-cells.md:1:1: warning: no status found"],
             decisions: 2),
        Case(name: "front matter that is not valid YAML",
             files: ["0002-yaml.md": bytes("---\ntitle: [unclosed\n---\n# 2. Still read\n\n## Status\n\nProposed\n")],
             diagnostics: ["adr/0002-yaml.md:2:8: warning: front matter is not valid YAML"], decisions: 2, check: { (site: String, _: Run) throws in
                 let html = try page(site, "0002-yaml.html")
                 #expect(html.contains("Still read") && html.contains("proposed"))
             }),
        Case(name: "a YAML alias bomb", files: ["0002-bomb.md": bytes("---\na: &a [x,x,x,x,x,x,x,x,x]\n"
                + (Array("bcdefghi").enumerated().map { i, c in
                    let prev = Array("abcdefgh")[i]
                    return "\(c): &\(c) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ",") + "]\n"
                }).joined() + "status: *i\n---\n# 2. Bomb\n\n## Status\n\nAccepted\n")],
             diagnostics: ["adr/0002-bomb.md:2:1: warning: front matter is too large once its aliases are expanded"],
             decisions: 2),
        Case(name: "a status that is a list", files: ["0002-list.md": bytes("---\nstatus: [accepted, rejected]\n---\n# 2. List\n")],
             diagnostics: ["adr/0002-list.md:2:1: warning: front matter `status` should be a single value, not a list or map; ignored"],
             decisions: 2),
        Case(name: "a status that is a map", files: ["0002-map.md": bytes("---\nstatus:\n  now: accepted\n---\n# 2. Map\n")],
             diagnostics: ["adr/0002-map.md:2:1: warning: front matter `status` should be a single value, not a list or map; ignored"],
             decisions: 2),
        Case(name: "ids that differ in case only", files: ["Cache.md": bytes("# Cache\n"), "cache.md": bytes("# cache\n")],
             diagnostics: ["adr/cache.md:1:1: warning: page name cache.html is also the id of Cache.md; this decision's page is cache-2.html"],
             decisions: 3, check: { (site: String, _: Run) throws in
                 #expect(try page(site, "Cache.html").contains("<h1"))
                 #expect(try page(site, "cache-2.html").contains("<h1"))
             }),
        Case(name: "ids that differ in extension only", files: ["0002-x.md": bytes("# 2. X\n"), "0002-x.markdown": bytes("# 2. X again\n")],
             diagnostics: ["adr/0002-x.md:1:1: warning: number 2 is also used by 0002-x.markdown",
                           "adr/0002-x.md:1:1: warning: page name 0002-x.html is also the id of 0002-x.markdown; this decision's page is 0002-x-2.html"],
             decisions: 3, check: { (site: String, _: Run) throws in
                 #expect(try page(site, "0002-x.html").contains("X again"))
                 #expect(try page(site, "0002-x-2.html").contains("<h1"))
             }),
        Case(name: "file names with spaces, #, ?, %, quotes, accents and emoji",
             files: ["0002-a b # c ? d % 25 \"q\" 'a' café 🚀.md": bytes("# 2. Odd name\n\n## Status\n\nAccepted\n\nSee [good](0001-good.md).\n"),
                     "0003-links.md": bytes("# 3. Links\n\n## Status\n\nAccepted\n\n[odd](<0002-a b %23 c %3F d %25 25 \"q\" 'a' café 🚀.md>)\n")],
             decisions: 3, check: { (site: String, _: Run) throws in
                 // The page name is made of the file name's words; the link from 0003 leads to it.
                 let name = "0002-a-b-c-d-25-q-a-cafe.html"
                 #expect(try page(site, name).contains("Odd name"))
                 #expect(try page(site, "0003-links.html").contains("href=\"\(name)\""))
                 #expect(try page(site, name).contains("café 🚀.md"), "the source is named as it is")
             }),
        Case(name: "a directory named x.md", setup: { (adr: String) throws in
                 try FileManager.default.createDirectory(atPath: adr + "/x.md", withIntermediateDirectories: true)
                 try "# 9. Inside\n\n## Status\n\nAccepted\n".write(toFile: adr + "/x.md/0009-inside.md", atomically: false, encoding: .utf8)
             }, decisions: 2, check: { (site: String, _: Run) throws in
                 #expect(try page(site, "x.md/0009-inside.html").contains("Inside"))
             }),
        Case(name: "a symbolic link loop", setup: { (adr: String) throws in
                 try FileManager.default.createDirectory(atPath: adr + "/loop", withIntermediateDirectories: true)
                 try FileManager.default.createSymbolicLink(atPath: adr + "/loop/again", withDestinationPath: "..")
             }, diagnostics: ["adr/loop/again:1:1: warning: symbolic link loop (leads back to the ADR directory); not followed"], decisions: 1),
        Case(name: "a symbolic link pointing outside the ADR directory", setup: { (adr: String) throws in
                 let outside = adr + "/../outside"
                 try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
                 try "# 7. Secret\n".write(toFile: outside + "/0007-secret.md", atomically: false, encoding: .utf8)
                 try FileManager.default.createSymbolicLink(atPath: adr + "/elsewhere", withDestinationPath: "../outside")
                 try FileManager.default.createSymbolicLink(atPath: adr + "/0008-passwd.md", withDestinationPath: "/etc/passwd")
             }, diagnostics: ["adr/0008-passwd.md:1:1: warning: symbolic link points outside the ADR directory; not followed",
                              "adr/elsewhere:1:1: warning: symbolic link points outside the ADR directory; not followed"],
             decisions: 1, check: { (site: String, _: Run) throws in
                 #expect(!FileManager.default.fileExists(atPath: site + "/elsewhere"))
                 #expect(!FileManager.default.fileExists(atPath: site + "/0008-passwd.html"))
             }),
        Case(name: "a cycle of supersedes", files: [
                "0002-a.md": bytes("# 2. A\n\n## Status\n\nSuperseded by [ADR-3](0003-b.md)\n"),
                "0003-b.md": bytes("# 3. B\n\n## Status\n\nSuperseded by [ADR-2](0002-a.md)\n")],
             diagnostics: ["adr/0002-a.md:1:1: warning: supersession cycle: 0002-a.md → 0003-b.md → 0002-a.md"], decisions: 3),
        Case(name: "a decision that supersedes itself", files: ["0002-self.md": bytes("# 2. Self\n\n## Status\n\nSuperseded by [ADR-2](0002-self.md)\n")],
             diagnostics: ["adr/0002-self.md:5:15: warning: says it superseded by itself; ignored"], decisions: 2),
        Case(name: "links and images to ../../../../etc/passwd",
             files: ["0002-escape.md": bytes("# 2. Escape\n\n## Status\n\nAccepted\n\n[pw](../../../../etc/passwd) ![pw](../../../../etc/passwd) [md](../../../../etc/x.md)\n")],
             diagnostics: ["adr/0002-escape.md:7:30: warning: image ../../../../etc/passwd is outside the ADR directory; it is not copied",
                           "adr/0002-escape.md:7:60: warning: broken link: ../../../../etc/x.md does not exist"],
             decisions: 2, check: { (site: String, _: Run) throws in
                 let html = try page(site, "0002-escape.html")
                 #expect(!html.contains("etc/passwd\""), "no link or image leads there")
                 #expect(!filesUnder(site).contains { $0.hasSuffix("passwd") }, "nothing was copied")
             }),
    ]

    @Test(arguments: cases)
    func `hostile input gets a diagnostic with its place, and the rest of the log is built`(_ c: Case) throws {
        try Self.build(c)
    }

    /// Builds `adr/0001-good.md` beside the case's files with the binary (60 s at most) and checks
    /// the diagnostics, that each names its place, and that the rest of the log is built.
    static func build(_ c: Case) throws {
        let dir = try makeFolder(["adr/0001-good.md": Self.good])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, content) in c.files {
            #expect(FileManager.default.createFile(atPath: dir + "/adr/" + name, contents: Data(content)))
        }
        try c.setup(dir + "/adr")
        let run = try Run.adrsite(["build", "adr", "-o", "site"], in: dir, timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        for expected in c.diagnostics {
            #expect(run.stderr.split(separator: "\n").contains { $0.hasPrefix(expected) }, "missing: \(expected)\n\(run.stderr.prefix(2000))")
        }
        // Every diagnostic names its place.
        for line in run.stderr.split(separator: "\n") {
            #expect(line.wholeMatch(of: /adr\/.+:\d+:\d+: (warning|error): .+/) != nil, "\(line)")
        }
        #expect(run.stdout.hasPrefix("built \(c.decisions) decision"), "\(run.stdout)")
        #expect(try Self.page(dir + "/site", "0001-good.html").contains("Fine."))
        #expect(try Self.page(dir + "/site", "index.html").contains("0001-good.html"))
        try c.check(dir + "/site", run)
    }

    /// A copy of the binary that `nobody` can run: the checkout may be in a folder only root
    /// can enter (/root).
    static func binaryForNobody(in dir: String) throws -> String {
        let copy = dir + "/bin/adrsite"
        try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Run.binary, toPath: copy)
        chmod(dir + "/bin", 0o755)
        chmod(copy, 0o755)
        return copy
    }

    /// An unreadable file: as root, the build runs as `nobody` (setpriv), for whom mode 000 means
    /// something.
    @Test func `an unreadable file is a warning, and the rest of the log is built`() throws {
        let dir = try makeFolder(["adr/0001-good.md": Self.good, "adr/0002-secret.md": "# 2. Secret\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir + "/adr/0002-secret.md", 0)
        var arguments = ["build", "adr", "-o", "site"]
        var executable: String? = nil
        if geteuid() == 0 {
            // nobody writes the site into the test's folder.
            chmod(dir, 0o777)
            executable = "/usr/bin/setpriv"
            arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", try Self.binaryForNobody(in: dir)] + arguments
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "setpriv (util-linux) is needed as root")
        }
        let run = try Run.adrsite(arguments, in: dir, timeout: 60, executable: executable)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("adr/0002-secret.md:1:1: warning: cannot read: Permission denied"), "\(run.stderr)")
        #expect(run.stdout.hasPrefix("built 1 decision"), "\(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir + "/site/0001-good.html"))
    }

    /// An output folder whose parent cannot be written (as root: the build runs as `nobody`):
    /// build fails with the reason, and the previous site stays byte for byte.
    @Test func `an output that cannot be written fails with the reason and leaves the previous site as it was`() throws {
        let dir = try makeFolder(["adr/0001-good.md": Self.good])
        defer { chmod(dir + "/out", 0o755); try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        let first = try Run.adrsite(["build", "adr", "-o", "out/site"], in: dir)
        try #require(first.status == 0, "\(first.stderr)")
        try "# 2. New\n\n## Status\n\nProposed\n".write(toFile: dir + "/adr/0002-new.md", atomically: false, encoding: .utf8)
        let before = filesUnder(dir + "/out").sorted()
        let index = try Self.page(dir + "/out/site", "index.html")

        var arguments = ["build", "adr", "-o", "out/site"]
        var executable: String? = nil
        // The output's parent: readable, not writable (for nobody, when running as root).
        chmod(dir + "/out", 0o555)
        if geteuid() == 0 {
            chmod(dir, 0o755)
            executable = "/usr/bin/setpriv"
            arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", try Self.binaryForNobody(in: dir)] + arguments
        }
        let run = try Run.adrsite(arguments, in: dir, timeout: 60, executable: executable)
        #expect(run.status == 1)
        #expect(run.stderr.contains("out/site: error: ") && run.stderr.contains("Permission denied")
                && run.stderr.contains("the previous site was left as it was"), "\(run.stderr)")
        #expect(filesUnder(dir + "/out").sorted() == before)
        #expect(try Self.page(dir + "/out/site", "index.html") == index)
    }
}

/// The largest peak resident memory of the processes this test process started (and waited
/// for), in megabytes.
func peakChildRSSMegabytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
    return usage.ru_maxrss / 1024
}

/// Every file path under `root`, relative to it.
func filesUnder(_ root: String) -> [String] {
    var out: [String] = []
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let path = enumerator?.nextObject() as? String { out.append(path) }
    return out
}
