import Foundation
import Testing

/// File names from the input, run by the real binary with a time limit: every diagnostic stays
/// one line that no file name can forge or use to drive the terminal.
@Suite struct DiagnosticLineCLITests {
    /// Names that would break a diagnostic line in two, forge one, or send the terminal escapes.
    static let hostileNames = [
        "0002-a\nadr/0009-forged.md:1:1: error: forged.md",
        "0003-carriage\rreturn.md",
        "0004-\u{1B}[2J\u{1B}]0;title\u{07}escape.md",
        "0005-next\u{85}line\u{2028}sep\u{202E}gnp.md",
    ]

    @Test func `a file name with line breaks or terminal escapes stays inside one diagnostic line`() throws {
        var files = ["adr/0001-good.md": "# 1. Good\n\n## Status\n\nAccepted\n"]
        for name in Self.hostileNames { files["adr/" + name] = "# Title without status\n" }
        let dir = try makeFolder(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for arguments in [["build", "adr", "-o", "site"], ["check", "adr", "--verbose"]] {
            let run = try Run.adrsite(arguments, in: dir, timeout: 60)
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == Self.hostileNames.count, "\(arguments): \(run.stderr)")
            for line in lines {
                #expect(line.wholeMatch(of: /adr\/000[2-5]-.+:1:1: warning: no status found .+/) != nil, "\(line)")
            }
            #expect(!run.stderr.contains("\nadr/0009-forged.md"))
            for output in [run.stdout, run.stderr] {
                #expect(!output.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "a raw control character was printed")
                #expect(!output.contains("\u{85}") && !output.contains("\u{2028}") && !output.contains("\u{202E}"))
            }
            #expect(run.stderr.contains(#"adr/0002-a\nadr/0009-forged.md:1:1: error: forged.md:1:1: warning: no status found"#), "\(run.stderr)")
            #expect(run.stderr.contains(#"adr/0004-\u{1B}[2J\u{1B}]0;title\u{7}escape.md:1:1: warning"#), "\(run.stderr)")
        }
    }

    @Test func `a file name that is a CI workflow command never starts a line`() throws {
        let dir = try makeFolder([
            "adr/0001-good.md": "# 1. Good\n\n## Status\n\nAccepted\n",
            "adr/::error file=x.md::forged.md": "# No status here\n",
            "adr/::stop-commands::token.md": "# Title \n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Run inside the ADR directory: then diagnostics start with the file name itself.
        let run = try Run.adrsite(["check", ".", "--verbose"], in: dir + "/adr", timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        for line in (run.stdout + run.stderr).split(separator: "\n") {
            #expect(!line.hasPrefix("::"), "\(line)")
        }
        #expect(run.stderr.contains("./::error file=x.md::forged.md:1:1: warning: no status found"), "\(run.stderr)")
    }
}
