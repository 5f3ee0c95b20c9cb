import Foundation
import Testing

/// Control characters from the input, built by the real binary with a time limit: every XML
/// file of the site stays well-formed (checked by Python's XML parser).
@Suite struct XMLOutputCLITests {
    /// Every C0 control character XML 1.0 forbids (all but tab, line feed, carriage return),
    /// and U+FFFE, U+FFFF.
    static let forbidden: String = {
        var s = ""
        for v in 1..<0x20 where v != 0x09 && v != 0x0A && v != 0x0D { s.unicodeScalars.append(UnicodeScalar(UInt8(v))) }
        return s + "\u{FFFE}\u{FFFF}"
    }()

    /// The well-formedness errors of each XML file (path relative to `root`), from Python's parser.
    static func xmlErrors(_ root: String, _ paths: [String]) throws -> [String] {
        let script = """
        import sys, xml.etree.ElementTree as ET
        for p in sys.argv[2:]:
            try: ET.parse(sys.argv[1] + '/' + p)
            except Exception as e: print(p + ': ' + str(e))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, root] + paths
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func `control characters in titles and statuses leave the feed, the sitemap and every badge well-formed XML`() throws {
        let c = Self.forbidden
        let dir = try makeFolder([
            "adr/0001-heading.md": "# 1. Heading \(c) end\n\nDate: 2024-01-01\n\n## Status\n\nAccepted \(c)\n",
            "adr/0002-front-matter.md": "---\ntitle: \"Front \\u0001\\u0002\\u001F\\u0008 matter\"\nstatus: \"proposed \\u0007\"\n---\n# 2. X\n",
            "adr/0003-plain.md": "# 3. Plain & \\<simple>\n\n## Status\n\nRejected\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Run.adrsite(["build", "adr", "-o", "site", "--base-url", "https://adr.example/x/"], in: dir, timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        let xml = filesUnder(dir + "/site").filter { $0.hasSuffix(".xml") || $0.hasSuffix(".svg") }.sorted()
        #expect(xml == ["badges/0001-heading.svg", "badges/0002-front-matter.svg", "badges/0003-plain.svg", "feed.xml", "sitemap.xml"])
        #expect(try Self.xmlErrors(dir + "/site", xml) == [])
        // The text around the dropped characters is still there.
        let feed = try String(contentsOfFile: dir + "/site/feed.xml", encoding: .utf8)
        #expect(feed.contains("Heading ") && feed.contains(" end") && feed.contains("Plain &amp; &lt;simple&gt;"), "\(feed)")
    }
}
