@testable import ADRCore
import ADRSite
import Foundation
import Testing

/// A log written by someone who wants script to run in the readers' browsers: titles, front
/// matter, file and folder names, link destinations, image sources, raw HTML and body text all
/// carry injection attempts (Fixtures/hostile). No file adrsite generates may carry a script.
@Suite struct HostileInputTests {
    static let fixture = SiteFixtures.own("hostile")
    static let baseURL = "https://adr.example.com/"

    /// What the hostile files say, exactly, by source path.
    static let titles: [String: String] = [
        "0001-spaces # hash ? query % 25 pct.md": #"</title><script>alert("title")</script> & {{siteTitle}} {{> head}}"#,
        "0003-café-naïve-🚀.md": "Café naïve 🚀 ]]> <![CDATA[ --> <!-- \u{2028} \\",
        #""><svg onload=alert("category")>/0004-category.md"#: "In a hostile category",
    ]
    static let deciders: [String: [String]] = [
        "0001-spaces # hash ? query % 25 pct.md": [#""><script>alert("decider")</script>"#, "Zoë <zoe@example.com>", "O'Brien"],
        "0005-status-'onfocus=alert(5) autofocus x='.md": ["Ann <script>alert('decider')</script>", "Bob"],
    ]
    static let tags: [String: [String]] = [
        "0001-spaces # hash ? query % 25 pct.md": [#"<svg/onload=alert("tag")>"#, #"javascript:alert("tag")"#, #"" onmouseover="alert(1)"#],
        "0003-café-naïve-🚀.md": ["</script><script>alert('json')</script>", "<!--", "\u{2028}\u{2029}"],
    ]
    static let sources = [
        "0001-spaces # hash ? query % 25 pct.md",
        #"0002-"quotes" & 'apos' <img src=x onerror=alert(2)>.md"#,
        "0003-café-naïve-🚀.md",
        #""><svg onload=alert("category")>/0004-category.md"#,
        "0005-status-'onfocus=alert(5) autofocus x='.md",
    ]

    /// Builds the hostile log to disk; returns the site folder and the rendered files.
    func build(_ dir: String, unsafeHTML: Bool = false) throws -> (output: String, site: RenderedSite) {
        var options = SiteOptions()
        options.unsafeHTML = unsafeHTML
        options.repositoryURL = "https://example.com/repo/tree/main/adr"
        options.baseURL = Self.baseURL
        let site = try RenderedSite(Self.fixture, options: options)
        try site.write(to: dir + "/site", input: Self.fixture)
        return (dir + "/site", site)
    }

    /// Findings of `MarkupScanner` in every written file, except those copied from the log.
    func generatedFindings(_ output: String, _ site: RenderedSite) throws -> [String] {
        let copied = Set(site.files.filter { $0.copyFrom != nil }.map(\.path))
        var findings: [String] = []
        for path in filePaths(under: output) where !copied.contains(path) && path != SiteWriter.marker {
            let bytes = try #require(FileManager.default.contents(atPath: output + "/" + path))
            findings += MarkupScanner.findings(inFile: path, bytes: [UInt8](bytes), baseURL: Self.baseURL)
        }
        return findings
    }

    @Test func `the hostile log is read as intended, so the test exercises every attempt`() throws {
        let log = Pipeline.decisionLog(Self.fixture)
        #expect(log.decisions.map(\.source).sorted() == Self.sources.sorted())
        #expect(log.decisions.first { $0.source == Self.sources[3] }?.category == #""><svg onload=alert("category")>"#)
        #expect(log.errorCount == 0)
    }

    @Test func `no page, feed, badge or data file adrsite generates carries a script from the input`() throws {
        try withTemporaryFolder("hostile") { dir in
            let (output, site) = try build(dir)
            let scanned = filePaths(under: output).filter { path in [".html", ".svg", ".xml", ".json", ".js"].contains { path.hasSuffix($0) } }
            #expect(scanned.count >= 18)
            #expect(scanned.contains("sitemap.xml"))
            let findings = try generatedFindings(output, site)
            #expect(findings == [], "\(findings.joined(separator: "\n"))")
        }
    }

    @Test func `hostile text is shown as text, not dropped`() throws {
        try withTemporaryFolder("hostile") { dir in
            let (output, _) = try build(dir)
            let page = try String(contentsOfFile: output + "/0001-spaces-hash-query-25-pct.html", encoding: .utf8)
            let heading = try #require(page.range(of: "<h1>").flatMap { start in
                page.range(of: "</h1>", range: start.upperBound..<page.endIndex).map { page[start.upperBound..<$0.lowerBound] } })
            #expect(MarkupScanner.decodeReferences(String(heading)) == Self.titles[Self.sources[0]]!)
            #expect(page.contains(#"<span class="person">&quot;&gt;&lt;script&gt;alert(&quot;decider&quot;)&lt;/script&gt;</span>"#))
            #expect(page.contains("Escaped text: &lt;script&gt;alert(&quot;entity&quot;)&lt;/script&gt;"))
            // The link texts stay; only their addresses go.
            #expect(page.contains(#"<a href="">js</a>"#))
            #expect(page.contains(#"<a href="">mixed case</a>"#))
            let category = try String(contentsOfFile: output + "/svg-onload-alert-category/0004-category.html", encoding: .utf8)
            #expect(category.contains(#"<span class="category">&quot;&gt;&lt;svg onload=alert(&quot;category&quot;)&gt;</span>"#))
        }
    }

    @Test func `decisions.json and search.json are valid JSON that round-trips every hostile string exactly`() throws {
        try withTemporaryFolder("hostile") { dir in
            let (output, _) = try build(dir)
            let decisionsData = try #require(FileManager.default.contents(atPath: output + "/decisions.json"))
            let root = try #require(try JSONSerialization.jsonObject(with: decisionsData) as? [String: Any])
            let decisions = try #require(root["decisions"] as? [[String: Any]])
            let bySource = Dictionary(uniqueKeysWithValues: decisions.map { ($0["source"] as? String ?? "", $0) })
            // Byte for byte: no Unicode normalisation, no lost escapes.
            #expect(bySource.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
                    == Self.sources.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
            for (source, title) in Self.titles {
                #expect((bySource[source]?["title"] as? String).map { Array($0.utf8) } == Array(title.utf8), "title of \(source)")
            }
            for (source, names) in Self.deciders {
                #expect((bySource[source]?["deciders"] as? [String])?.map { Array($0.utf8) } == names.map { Array($0.utf8) }, "deciders of \(source)")
            }
            for (source, words) in Self.tags {
                #expect((bySource[source]?["tags"] as? [String])?.map { Array($0.utf8) } == words.map { Array($0.utf8) }, "tags of \(source)")
            }
            #expect(bySource[Self.sources[3]]?["category"] as? String == #""><svg onload=alert("category")>"#)

            let searchData = try #require(FileManager.default.contents(atPath: output + "/search.json"))
            let entries = try #require(try JSONSerialization.jsonObject(with: searchData) as? [[String: Any]])
            #expect(entries.count == Self.sources.count)
            let byID = Dictionary(uniqueKeysWithValues: entries.map { ($0["id"] as? String ?? "", $0) })
            for decision in decisions {
                let id = try #require(decision["id"] as? String)
                #expect(byID[id]?["title"] as? String == decision["title"] as? String, "search title of \(id)")
                #expect(byID[id]?["tags"] as? [String] == decision["tags"] as? [String], "search tags of \(id)")
            }
            // The search index script is JSON, assigned: the entries of search.json with each
            // decision's body text added, every hostile string read back exactly.
            let script = String(decoding: try #require(FileManager.default.contents(atPath: output + "/assets/search-index.js")), as: UTF8.self)
            let prefix = "window.adrsiteSearch = ", suffix = ";\n"
            #expect(script.hasPrefix(prefix) && script.hasSuffix(suffix))
            let data = Data(script.dropFirst(prefix.count).dropLast(suffix.count).utf8)
            let indexed = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
            #expect(indexed.count == entries.count)
            for (entry, full) in zip(entries, indexed) {
                let id = entry["id"] as? String ?? ""
                #expect(full["id"] as? String == id && full["title"] as? String == entry["title"] as? String, "index entry of \(id)")
                #expect(full["tags"] as? [String] == entry["tags"] as? [String], "index tags of \(id)")
                #expect(full["text"] is String && entry["text"] == nil, "text of \(id) in the script only")
            }
            let cafe = try #require(indexed.first { ($0["id"] as? String ?? "").hasPrefix("0001") })
            #expect((cafe["text"] as? String)?.contains("<img src=x onerror=alert(\"heading\")>") == true)
        }
    }

    @Test func `with --unsafe-html the raw HTML appears, and the scan sees it`() throws {
        try withTemporaryFolder("hostile") { dir in
            let (output, site) = try build(dir, unsafeHTML: true)
            let page = try String(contentsOfFile: output + "/0001-spaces-hash-query-25-pct.html", encoding: .utf8)
            // GitHub's tag filter still writes <script>, <style>, <iframe> and the like as text.
            #expect(page.contains(#"&lt;script>alert("raw block")&lt;/script>"#))
            #expect(page.contains(#"<img src=x onerror="alert('inline')">"#))
            let findings = try generatedFindings(output, site)
            #expect(!findings.contains { $0.contains("<script> element that is not the theme's") && $0.contains("raw block") })
            #expect(findings.contains { $0.contains("event handler attribute onerror") })
            #expect(findings.contains { $0.contains("event handler attribute onclick") })
            #expect(findings.contains { $0.contains("javascript: address in href") })
            #expect(!findings.contains { $0.contains("element <iframe>") })
            // Text that came in through front matter or names stays escaped even then.
            #expect(!findings.contains { $0.contains("decider") || $0.contains("category") })
        }
    }

    @Test func `the scanner finds each kind of injection it is meant to find`() {
        let page = """
        <!doctype html><title>x</title><script src="assets/site.js" defer></script>
        <p title="a<b">t</p><a href=" java\tscript:alert(1)">x</a><img src=x onerror=alert(1)>
        <a href="&#106;avascript:alert(1)">y</a><svg><script>alert(1)</script></svg>
        <!-- <script>alert('in a comment')</script> --><textarea><script>not a tag</script></textarea>
        """
        let findings = MarkupScanner.findings(inHTML: page, file: "t.html")
        #expect(findings.count == 7, "\(findings.joined(separator: "\n"))")
        #expect(findings.contains { $0.contains("unescaped < in attribute title") })
        #expect(findings.filter { $0.contains("javascript: address") }.count == 2)
        #expect(findings.contains { $0.contains("event handler attribute onerror") })
        #expect(findings.contains { $0.contains("element <svg>") })
        #expect(findings.contains { $0.contains("<script> element that is not the theme's") })
        #expect(findings.contains { $0.contains("element <textarea>") })
        #expect(MarkupScanner.findings(inHTML: #"<script src="../assets/site.js" defer></script>"#, file: "a/b.html") == [])
        #expect(MarkupScanner.findings(inHTML: #"<script src="https://adr.example.com/assets/site.js" defer></script>"#, file: "404.html",
                                       baseURL: "https://adr.example.com/") == [])
        #expect(MarkupScanner.findings(inHTML: #"<script src="https://evil.example/assets/site.js" defer></script>"#, file: "404.html",
                                       baseURL: "https://adr.example.com/").count == 1)
        #expect(MarkupScanner.findings(inXML: Array(#"<svg><rect onclick="x"/></svg>"#.utf8), file: "b.svg",
                                       allowed: MarkupScanner.svgElements).count == 1)
        #expect(MarkupScanner.findings(inXML: Array(#"<svg><title>a</b></title></svg>"#.utf8), file: "b.svg",
                                       allowed: MarkupScanner.svgElements).count == 1)
    }

    /// Files of the log that a decision links or shows are copied into the site; an SVG image
    /// or HTML attachment with a script would then run, in the site's origin, for anyone who
    /// opens it. Those are left out with a warning, and links to them become text.
    @Test func `an SVG or HTML file of the log that can run scripts is not copied, and is copied with --unsafe-html`() throws {
        try withTemporaryFolder("hostile") { dir in
            let (output, site) = try build(dir)
            let copied = site.files.filter { $0.copyFrom != nil }.map(\.path).sorted()
            #expect(!copied.contains("diagram.svg") && !copied.contains("attachment.html"), "\(copied)")
            var findings: [String] = []
            for path in copied {
                let bytes = try #require(FileManager.default.contents(atPath: output + "/" + path))
                findings += MarkupScanner.findings(inFile: path, bytes: [UInt8](bytes))
            }
            #expect(findings == [], "\(findings.joined(separator: "\n"))")
            let warnings = site.log.diagnostics.filter { $0.message.hasPrefix("not copied into the site: ") }
            #expect(warnings.map(\.file).sorted() == ["attachment.html", "diagram.svg"])
            let pages = site.files.filter { $0.path.hasSuffix(".html") }.map { String(decoding: $0.bytes, as: UTF8.self) }
            #expect(!pages.contains { $0.contains("href=\"attachment.html\"") || $0.contains("src=\"diagram.svg\"") })
        }
        try withTemporaryFolder("hostile-unsafe") { dir in
            let (_, site) = try build(dir, unsafeHTML: true)
            let copied = site.files.filter { $0.copyFrom != nil }.map(\.path)
            #expect(copied.contains("diagram.svg") && copied.contains("attachment.html"))
        }
    }
}

@Suite struct AttachmentPolicyTests {
    @Test(arguments: [
        #"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#,
        #"<svg><a href="javascript&#58;alert(document.domain)"><text>x</text></a></svg>"#,
        #"<svg><a href="java&#x09;script:alert(1)"><text>x</text></a></svg>"#,
        "<svg><a href=\"java\nscript:alert(1)\"><text>x</text></a></svg>",
        #"<svg><a href="&#106;avascript&colon;alert(1)"><text>x</text></a></svg>"#,
        "<svg\nonload=\"alert(1)\"></svg>",
        #"<svg><rect ONCLICK = "alert(1)"/></svg>"#,
        #"<svg><foreignObject><div>x</div></foreignObject></svg>"#,
        #"<svg><a href="data:text/html,<script>alert(1)</script>"><text>x</text></a></svg>"#,
    ])
    func `an SVG that could run a script is refused however it is spelled`(_ svg: String) {
        #expect(AssetPolicy.svgProblem(Array(svg.utf8)) != nil, "\(svg)")
    }

    @Test func `a plain SVG diagram with entities and ids is accepted`() {
        let svg = ##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>A &amp; B &#8594; C</title><rect id="online" width="10" height="10" fill="#fff"/><text x="1" y="9">onward</text></svg>"##
        #expect(AssetPolicy.svgProblem(Array(svg.utf8)) == nil)
    }
}
