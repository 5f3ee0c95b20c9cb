import Foundation
import Testing

@Suite struct CheckCommandTests {
    static let brokenLog: [String: String] = [
        "docs/adr/0001-first.md": "# 1. First\n\nDate: 2024-01-02\n\n## Status\n\nAccepted\n\nSee [the plan](0007-plan.md).\n",
        "docs/adr/0002-second.md": "# 2. Second\n\nDate: 2024-13-45\n\n## Status\n\nAccepted\n",
        "docs/adr/0002-again.md": "# 2. Again\n\nDate: 2024-01-04\n\n## Context\n\nNo status.\n",
    ]

    @Test func `check prints each problem with its position relative to the current directory, and a summary`() throws {
        let dir = try makeFolder(Self.brokenLog)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Run.adrsite(["check", "docs/adr"], in: dir)
        #expect(run.stderr == """
        docs/adr/0001-first.md:9:5: warning: broken link: 0007-plan.md does not exist
        docs/adr/0002-again.md:1:1: warning: no status found (front matter `status`, a `Status:` line or a `## Status` section)
        docs/adr/0002-second.md:1:1: warning: number 2 is also used by 0002-again.md
        docs/adr/0002-second.md:3:1: warning: `Date:` value "2024-13-45" is not a date (YYYY-MM-DD)

        """)
        #expect(run.stdout == "checked 3 decisions in docs/adr: 0 errors, 4 warnings\n")
        #expect(run.status == 0)
    }

    @Test func `check --strict fails on warnings`() throws {
        let dir = try makeFolder(Self.brokenLog)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Run.adrsite(["check", "--strict", "docs/adr"], in: dir).status == 1)
    }

    @Test func `check on a clean folder prints a summary and exits 0`() throws {
        let run = try Run.adrsite(["check", "--strict", Run.fixtures + "/clean"])
        #expect(run.stderr == "")
        #expect(run.stdout.hasSuffix("clean: 0 errors, 0 warnings\n"))
        #expect(run.stdout.hasPrefix("checked 2 decisions in "))
        #expect(run.status == 0)
    }

    @Test func `check finds the directory named in .adr-dir, else docs/adr`() throws {
        let dir = try makeFolder(["docs/adr/0001-a.md": "# 1. A\n\n## Status\n\nAccepted\n",
                                  "records/0001-b.md": "# 1. B\n\n## Status\n\nAccepted\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Run.adrsite(["check"], in: dir).stdout == "checked 1 decision in docs/adr: 0 errors, 0 warnings\n")
        try "records\n".write(toFile: dir + "/.adr-dir", atomically: false, encoding: .utf8)
        #expect(try Run.adrsite(["check"], in: dir).stdout == "checked 1 decision in records: 0 errors, 0 warnings\n")
    }

    @Test func `a directory that does not exist is an error with exit status 1`() throws {
        let run = try Run.adrsite(["check", "/nonexistent/adr"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("/nonexistent/adr:1:1: error: cannot open ADR directory"))
    }

    @Test func `check --verbose lists every decision and every file that is not one`() throws {
        let run = try Run.adrsite(["check", "--verbose", "log4brains"], in: Run.fixtures)
        #expect(run.stdout.contains("log4brains/template.md: not a decision: template\n"))
        #expect(run.stdout.contains("log4brains/README.md: not a decision: index page of its folder\n"))
        #expect(run.stdout.contains("log4brains/20200924-use-markdown-architectural-decision-records.md: \"Use Markdown Architectural Decision Records\" [accepted] 2020-09-24"))
    }
}
