import Foundation
import Testing

/// `adrsite build` as a user runs it: its messages, exit status, and what it leaves on disk.
@Suite struct BuildCommandTests {
    static let log: [String: String] = [
        "docs/adr/0001-use-sqlite.md": "# 1. Use SQLite\n\nDate: 2024-01-02\n\n## Status\n\nAccepted\n",
        "docs/adr/0002-back-up-nightly.md": "# 2. Back up nightly\n\nDate: 2024-01-03\n\n## Status\n\nProposed\n\nSee ADR-0001.\n",
    ]

    /// The site fixtures of the ADRSiteTests target.
    static let siteFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ADRSiteTests/Fixtures").standardized.path

    #if os(Linux)
    /// site/0018: the binary links mimalloc, so that it replaces glibc's malloc for the process.
    @Test func `the binary starts with mimalloc linked in`() throws {
        let run = try Run.adrsite(["MIMALLOC_VERBOSE=1", Run.binary, "--version"], timeout: 30, executable: "/usr/bin/env")
        #expect(run.status == 0)
        #expect(run.stderr.contains("mimalloc: process init"), "\(run.stderr)")
    }
    #endif

    @Test func `build writes the site and says where to open it`() throws {
        let dir = try makeFolder(Self.log)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Run.adrsite(["build", "docs/adr", "-o", "public"], in: dir)
        #expect(run.stderr == "")
        #expect(run.stdout == "built 2 decisions in docs/adr: 0 errors, 0 warnings → open public/index.html\n")
        #expect(run.status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/public/0002-back-up-nightly.html"))
        #expect(FileManager.default.fileExists(atPath: dir + "/public/.adrsite-output"))
    }

    @Test func `a broken template makes build exit 1 with the template's position, and write nothing`() throws {
        var files = Self.log
        files["tpl/index.mustache"] = "{{> head}}\n<body>\n  <ul>\n    {{#decisions}}<li>{{title}}</li>\n  </ul>\n</body>\n"
        let dir = try makeFolder(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = treeListing(dir)
        let run = try Run.adrsite(["build", "docs/adr", "--templates", "tpl", "-o", "out"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("tpl/index.mustache:4:5: error: "), "\(run.stderr)")
        #expect(run.stderr.contains("never closed"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stdout == "")
        #expect(treeListing(dir) == before)
    }

    @Test func `a missing partial makes build exit 1 naming the file, line and column`() throws {
        var files = Self.log
        files["tpl/footer.mustache"] = "<footer>\n  {{> contact}}\n</footer>\n"
        let dir = try makeFolder(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = treeListing(dir)
        let run = try Run.adrsite(["build", "docs/adr", "--templates", "tpl", "-o", "out"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr == "tpl/footer.mustache:2:3: error: partial 'contact' does not exist (no contact.mustache)\n")
        #expect(treeListing(dir) == before)
    }

    @Test func `a templates folder beside the ADR directory is used and reported`() throws {
        var files = Self.log
        files["docs/templates/badge.mustache"] = "<b class=\"team-badge\">{{status}}</b>\n"
        let dir = try makeFolder(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Run.adrsite(["build", "docs/adr", "-o", "out"], in: dir)
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("templates: badge.mustache from docs/templates\n"), "\(run.stdout)")
        let index = try String(contentsOfFile: dir + "/out/index.html", encoding: .utf8)
        #expect(index.contains("<b class=\"team-badge\">accepted</b>"))
    }

    @Test(arguments: [
        (["docs/adr"], "it is the ADR directory itself"),
        (["docs"], "it contains the ADR directory"),
        (["."], "it contains the ADR directory"),
        (["notes"], "the folder is not empty and was not written by adrsite"),
        (["notes/todo.txt"], "it is a file, not a folder"),
    ])
    func `build refuses an output it must not replace, exits 1 and changes nothing`(_ output: [String], _ reason: String) throws {
        var files = Self.log
        files["notes/todo.txt"] = "Write the migration ADR.\n"
        let dir = try makeFolder(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = treeListing(dir)
        let run = try Run.adrsite(["build", "docs/adr", "-o"] + output, in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("\(output[0]): error: refusing to "), "\(run.stderr)")
        #expect(run.stderr.contains(reason), "\(run.stderr)")
        #expect(run.stdout == "")
        #expect(treeListing(dir) == before)
    }

    @Test func `a file added to a built site makes the next build refuse, naming it`() throws {
        let dir = try makeFolder(Self.log)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Run.adrsite(["build", "docs/adr", "-o", "site"], in: dir).status == 0)
        try "adr.example.com\n".write(toFile: dir + "/site/CNAME", atomically: false, encoding: .utf8)
        let before = treeListing(dir)
        let run = try Run.adrsite(["build", "docs/adr", "-o", "site"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr == "site: error: refusing to replace site: it holds files adrsite did not write (CNAME); move them elsewhere first\n")
        #expect(treeListing(dir) == before)
    }

    @Test(arguments: ["golden", "hostile"])
    func `two runs of the binary build byte-identical sites`(_ fixture: String) throws {
        let dir = try makeFolder([:])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = Self.siteFixtures + "/" + fixture
        // Separate processes: each hashes with its own random seed, so an order that depends on
        // a Set or Dictionary shows up here.
        #expect(try Run.adrsite(["build", input, "-o", dir + "/one"]).status == 0)
        #expect(try Run.adrsite(["build", input, "-o", dir + "/two/site"]).status == 0)
        let one = treeListing(dir + "/one"), two = treeListing(dir + "/two/site")
        #expect(one.count > 15)
        #expect(one.keys.sorted() == two.keys.sorted())
        for (path, data) in one where data != two[path] ?? nil {
            Issue.record("\(path) differs between two builds")
        }
    }
}
