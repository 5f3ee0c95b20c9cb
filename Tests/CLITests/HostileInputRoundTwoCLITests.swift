import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The hostile inputs of the second hardening round that reach the load, parse and link stages
/// (issue 14), built by the real binary like those of `HostileInputCLITests`.
@Suite struct HostileInputRoundTwoCLITests {
    typealias Case = HostileInputCLITests.Case
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static let accepted = "\n\n## Status\n\nAccepted\n"

    static let longName = "0002-" + String(repeating: "a-long-name-", count: 20) + "end"   // 248 bytes + .md

    static let cases: [Case] = [
        Case(name: "a file name near the file system's limit", files: [longName + ".md": bytes("# 2. Long" + accepted)],
             diagnostics: ["adr/\(longName).md:1:1: warning: file name is too long for its page (248 bytes); its page is "],
             decisions: 2, check: { (site: String, run: Run) throws in
                 let pages = filesUnder(site).filter { $0.hasPrefix("0002-") && $0.hasSuffix(".html") }
                 #expect(pages.count == 1, "\(pages)")
                 #expect(pages.allSatisfy { $0.utf8.count <= 255 })
                 #expect(run.stderr.contains(pages.first ?? "?"))
             }),
        Case(name: "a stray .adrsite-output in a folder of records", setup: { (adr: String) throws in
                 try writeFiles(["security/.adrsite-output": "written by adrsite\n", "security/0002-rotate.md": "# 2. Rotate" + accepted],
                                in: adr)
             },
             diagnostics: ["adr/security:1:1: warning: folder holds .adrsite-output, the mark of a site adrsite wrote: its files are not read as decisions"],
             decisions: 1),
        Case(name: "a UTF-16 file with a byte order mark",
             files: ["0002-utf16.md": [0xFF, 0xFE] + Array("# 2. Wide café\(accepted)".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }],
             diagnostics: ["adr/0002-utf16.md:1:1: warning: file is UTF-16 (little-endian), not UTF-8; read as UTF-16"],
             decisions: 2, check: { (site: String, _: Run) throws in
                 #expect(try HostileInputCLITests.page(site, "0002-utf16.html").contains("Wide café"))
             }),
        Case(name: "a UTF-16 file without a byte order mark",
             files: ["0002-utf16.md": Array("# 2. Wide\(accepted)".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }],
             diagnostics: ["adr/0002-utf16.md:1:2: warning: file contains NUL bytes: it looks like UTF-16 without a byte order mark; skipped"],
             decisions: 1),
        Case(name: "a file name that is not valid UTF-8", setup: { (adr: String) throws in
                 var path = Array((adr + "/0002-caf").utf8) + [0xE9] + Array(".md".utf8) + [0]
                 let fd = path.withUnsafeMutableBufferPointer { p in
                     p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
                 }
                 try #require(fd >= 0)
                 _ = "# 2. Latin-1 name\(accepted)".withCString { write(fd, $0, strlen($0)) }
                 close(fd)
             },
             diagnostics: ["adr/0002-caf\u{FFFD}.md:1:1: warning: file name is not valid UTF-8; not read (rename it)"],
             decisions: 1),
        Case(name: "follow-up 99999999999999999999", files: [
                "0002-big.md": bytes("# 2. Big\(accepted)\nThis addresses follow-up 99999999999999999999 of [ADR-1](0001-good.md).\n")],
             decisions: 2, check: { (_: String, run: Run) throws in
                 #expect(!run.stderr.contains("follow-up"), "\(run.stderr)")
             }),
        Case(name: "a title of 1 MB, linked from another record", files: [
                "0002-huge-title.md": bytes("# 2. " + String(repeating: "t", count: 1 << 20) + accepted),
                "0003-links.md": bytes("# 3. Links\(accepted)\nSee [the huge one](0002-huge-title.md) and ADR-2.\n")],
             diagnostics: ["adr/0002-huge-title.md:1:1: warning: title is 1048576 characters long; shown cut after 300"],
             decisions: 3, check: { (site: String, _: Run) throws in
                 let linking = try HostileInputCLITests.page(site, "0003-links.html")
                 #expect(linking.utf8.count < 100_000)
                 #expect(try HostileInputCLITests.page(site, "index.html").utf8.count < 100_000)
             }),
    ]

    @Test(arguments: cases)
    func `hostile input of the second round gets a diagnostic, and the rest of the log is built`(_ c: Case) throws {
        try HostileInputCLITests.build(c)
    }

    @Test func `check reports a file name too long for its page, as build does`() throws {
        let dir = try makeFolder(["adr/0001-good.md": HostileInputCLITests.good, "adr/\(Self.longName).md": "# 2. Long" + Self.accepted])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Run.adrsite(["check", "adr"], in: dir, timeout: 60)
        #expect(run.stderr.contains("warning: file name is too long for its page (248 bytes)"), "\(run.stderr)")
    }
}
