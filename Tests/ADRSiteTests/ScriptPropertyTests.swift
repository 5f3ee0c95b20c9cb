@testable import ADRCore
import ADRSite
import Foundation
import Testing

/// Property: for any titles, statuses, front matter values, file names and bodies, no file that
/// adrsite generates holds anything a browser would execute, unless the input's raw HTML was let
/// through with `--unsafe-html`. Inputs are drawn by a seeded generator from the pieces
/// injections are made of, mixed with random text: each run checks the same few hundred logs,
/// and `ADRSITE_PROPERTY_SEED` / `ADRSITE_PROPERTY_COUNT` explore others.
@Suite struct ScriptPropertyTests {
    typealias Generator = SplitMix

    /// What injections are made of: tags, handlers, script addresses in their disguises, quotes,
    /// template and CDATA syntax, separators that break JSON in a script.
    static let pieces = [
        "<script>alert(1)</script>", "</script><script>alert(2)</script>", "<script src=//evil.example/x.js>",
        "<img src=x onerror=alert(3)>", "<svg onload=alert(4)>", "<svg><script>alert(5)</script></svg>",
        "<iframe src=javascript:alert(6)>", "<a href=\"javascript:alert(7)\">x</a>", "<body onload=alert(8)>",
        "<math><mi xlink:href=\"javascript:alert(9)\">x</mi></math>", "<style>@import 'x'</style>", "<object data=x>",
        "javascript:alert(10)", "JaVaScRiPt:alert(11)", " javascript:alert(12)", "java\tscript:alert(13)",
        "&#106;avascript:alert(14)", "&#x6A;avascript:alert(15)", "data:text/html,<script>alert(16)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(17)", "VBScript:x",
        "\" onmouseover=\"alert(18)", "' onfocus='alert(19)' autofocus '", "\"><script>alert(20)</script>",
        "`", "{{", "}}", "{{{siteTitle}}}", "{{> head}}", "]]>", "<![CDATA[", "<!--", "-->", "\u{2028}", "\u{2029}",
        "&", "&amp;", "&lt;script&gt;", "<", ">", "\\", "\n", "|", "#", "%", "?", "%3Cscript%3E", "\u{0}", "🚀", "é",
    ]
    static let words = ["Use", "cache", "ADR-0002", "Status:", "accepted", "superseded", "by", "x", "Date:", "2024-01-02"]

    static func text(_ g: inout Generator, parts: Int) -> String {
        var out = ""
        for _ in 0..<(1 + g.below(parts)) {
            out += g.chance(55) ? g.pick(pieces) : g.pick(words)
            if g.chance(40) { out += " " }
        }
        return out
    }

    /// A YAML double-quoted scalar holding `s` exactly.
    static func yaml(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\u{0}": out += "\\0"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// Markdown blocks where injections can hide: links, images, reference definitions, raw
    /// HTML blocks and inline HTML, code, tables, headings, follow-ups, relation sentences.
    static func body(_ g: inout Generator, others: [String]) -> String {
        var out = ""
        for _ in 0..<(1 + g.below(6)) {
            switch g.below(11) {
            case 0: out += "## " + text(&g, parts: 3) + "\n\n"
            case 1: out += "[" + text(&g, parts: 2) + "](" + g.pick(pieces).replacingOccurrences(of: " ", with: "%20") + ")\n\n"
            case 2: out += "![" + text(&g, parts: 2) + "](" + g.pick(pieces).replacingOccurrences(of: "\n", with: "") + " \"" + text(&g, parts: 2) + "\")\n\n"
            case 3: out += "[ref]: " + g.pick(pieces).replacingOccurrences(of: "\n", with: "") + "\n\nSee [ref] and [x][ref].\n\n"
            case 4: out += g.pick(pieces) + "\n" + text(&g, parts: 4) + "\n\n"
            case 5: out += "```" + g.pick(["", "html", "<script>"]) + "\n" + text(&g, parts: 4) + "\n```\n\n"
            case 6: out += "| a | " + text(&g, parts: 2).replacingOccurrences(of: "\n", with: " ") + " |\n|---|---|\n| "
                + text(&g, parts: 3).replacingOccurrences(of: "\n", with: " ") + " | <" + g.pick(["script>", "img src=x onerror=alert(1)>"]) + " |\n\n"
            case 7: out += "## Follow-Up Actions\n\n1. " + text(&g, parts: 3).replacingOccurrences(of: "\n", with: " ") + "\n2. [x](" + g.pick(pieces) + ")\n\n"
            case 8: out += "Supersedes [" + text(&g, parts: 2) + "](" + g.pick(others) + "#" + g.pick(pieces).replacingOccurrences(of: " ", with: "") + ")\n\n"
            case 9: out += "<" + g.pick(["a href", "img src", "div onclick", "span style"]) + "=\"" + g.pick(pieces) + "\">" + text(&g, parts: 2) + "\n\n"
            default: out += text(&g, parts: 8) + "\n\n"
            }
        }
        return out
    }

    /// Writes one generated log into `dir`: a few decisions with generated names, titles (in
    /// front matter or heading), statuses (front matter, line, or section), deciders and tags.
    static func writeLog(_ g: inout Generator, into dir: String) throws {
        let count = 1 + g.below(3)
        var names: [String] = []
        for n in 1...count {
            var name = String(format: "%04d-", n) + text(&g, parts: 2)
            name = name.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\n", with: " ")
                .replacingOccurrences(of: "\u{0}", with: "0")
            if name.hasPrefix(".") { name = "_" + name }
            names.append(String(decoding: name.utf8.prefix(120), as: UTF8.self) + ".md")
        }
        for (i, name) in names.enumerated() {
            var doc = ""
            let title = text(&g, parts: 4)
            let status = g.pick(["accepted", "proposed", "superseded by ADR-0001", "rejected"]) + (g.chance(50) ? " " + text(&g, parts: 2) : "")
            if g.chance(60) {
                doc += "---\n"
                if g.chance(50) { doc += "title: " + yaml(title) + "\n" }
                if g.chance(60) { doc += "status: " + yaml(status) + "\n" }
                if g.chance(50) { doc += "deciders: [" + yaml(text(&g, parts: 2)) + ", " + yaml(text(&g, parts: 2)) + "]\n" }
                if g.chance(50) { doc += "tags: [" + yaml(text(&g, parts: 2)) + "]\n" }
                if g.chance(30) { doc += "date: " + yaml(g.pick(["2024-01-02", text(&g, parts: 1)])) + "\n" }
                doc += "---\n"
            }
            doc += "# " + title.replacingOccurrences(of: "\n", with: " ") + "\n\n"
            switch g.below(3) {
            case 0: doc += "Status: " + status.replacingOccurrences(of: "\n", with: " ") + "\n\n"
            case 1: doc += "## Status\n\n" + status + "\n\n"
            default: break
            }
            if g.chance(40) { doc += "* Deciders: " + text(&g, parts: 3).replacingOccurrences(of: "\n", with: " ") + "\n\n" }
            doc += body(&g, others: names.filter { $0 != name }.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0 } + ["0001-x.md"])
            let path = dir + "/" + name
            if i == 0 || g.chance(80) {
                FileManager.default.createFile(atPath: path, contents: Data(doc.utf8))
            }
        }
    }

    /// Findings of the scanner in every file the site generates (files copied from the log are
    /// the user's own, and no generated log has any).
    static func findings(_ site: RenderedSite) throws -> [String] {
        var out: [String] = []
        for file in site.files where file.copyFrom == nil {
            out += MarkupScanner.findings(inFile: file.path, bytes: try file.content(), baseURL: "https://adr.example/")
        }
        return out
    }

    static var seed: UInt64 { UInt64(ProcessInfo.processInfo.environment["ADRSITE_PROPERTY_SEED"] ?? "") ?? 20261127 }
    static var count: Int { Int(ProcessInfo.processInfo.environment["ADRSITE_PROPERTY_COUNT"] ?? "") ?? 150 }

    @Test func `no generated file holds a script, whatever the titles, statuses, front matter, names and bodies`() throws {
        var g = Generator(seed: Self.seed)
        var options = SiteOptions()
        options.repositoryURL = "https://github.com/acme/app/tree/main/docs/adr"
        options.baseURL = "https://adr.example/"
        var unsafeFound = 0
        for round in 0..<Self.count {
            let dir = try makeTemporaryFolder("property")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let state = g.state
            try Self.writeLog(&g, into: dir)
            let site = try RenderedSite(dir, options: options)
            let findings = try Self.findings(site)
            #expect(findings.isEmpty, "round \(round) (ADRSITE_PROPERTY_SEED state \(state)): \(findings.prefix(5))")
            if !findings.isEmpty { break }

            // The same log with --unsafe-html: raw HTML comes through, and the scanner sees it in
            // most logs, so the property above is not vacuous.
            var unsafe = options
            unsafe.unsafeHTML = true
            if try !Self.findings(RenderedSite(dir, options: unsafe)).isEmpty { unsafeFound += 1 }
        }
        #expect(unsafeFound > Self.count / 3, "only \(unsafeFound) of \(Self.count) logs had raw HTML that the scanner found with --unsafe-html")
    }
}
