import ADRCore
import ADRSite
import Foundation
import Testing

/// Template folders laid over the default theme, and what a team sees when a template is wrong.
@Suite struct TemplateTests {
    static let defaultBadge = try! NSRegularExpression(
        pattern: #"<span class="badge badge-([a-z]+)" title="Status: ([^"]*)">([^<]*)</span>"#)

    @Test func `an overridden badge template replaces only the badges, every other byte stays the same`() throws {
        try withTemporaryFolder("templates") { templates in
            try writeFiles(["badge.mustache": #"<mark class="badge-override" data-status="{{statusCategory}}">{{status}}!</mark>"# + "\n"],
                           in: templates)
            let golden = SiteFixtures.own("golden")
            let plain = try RenderedSite(golden)
            let custom = try RenderedSite(golden, templates: [templates])
            #expect(custom.paths == plain.paths)

            var changed: [String] = []
            for path in plain.paths {
                let expected = try plain.bytes(path)
                let text = String(decoding: expected, as: UTF8.self)
                let mapped = Self.defaultBadge.stringByReplacingMatches(
                    in: text, range: NSRange(text.startIndex..., in: text),
                    withTemplate: #"<mark class="badge-override" data-status="$1">$3!</mark>"#)
                if mapped != text { changed.append(path) }
                #expect(try custom.bytes(path) == (mapped == text ? expected : Array(mapped.utf8)),
                        "\(path) differs in more than its badges")
            }
            // Every page that shows a status badge, and nothing else.
            let pages = plain.log.decisions.map(\.url) + ["index.html", "follow-ups.html"]
            #expect(changed.sorted() == pages.sorted())
            #expect(try custom.text("index.html").contains(#"<mark class="badge-override" data-status="superseded">superseded!</mark>"#))

            let theme = try Theme.load(overrides: [templates])
            #expect(theme.overridden == ["badge.mustache"])
            #expect(theme.files["badge.mustache"]?.origin == templates + "/badge.mustache")
            #expect(theme.files["index.mustache"]?.origin == "default")
        }
    }

    @Test func `an overridden template can use an extra partial from the same folder`() throws {
        try withTemporaryFolder("templates") { templates in
            try writeFiles([
                "footer.mustache": "<footer class=\"site-footer\">{{> team-contact}}</footer>\n",
                "team-contact.mustache": "<p class=\"contact\">Ask the architecture guild about these {{decisionCount}} decisions.</p>\n",
            ], in: templates)
            let site = try RenderedSite(SiteFixtures.own("golden"), templates: [templates])
            let pages = site.paths.filter { $0.hasSuffix(".html") }
            #expect(pages.count == 9)
            for page in pages {
                #expect(try site.text(page).contains(
                    "<footer class=\"site-footer\"><p class=\"contact\">Ask the architecture guild about these 6 decisions.</p></footer>"),
                        "\(page)")
            }
            // A partial is a template, not a file of the site.
            #expect(!site.paths.contains { $0.contains("team-contact") })
            #expect(try Theme.load(overrides: [templates]).overridden == ["footer.mustache", "team-contact.mustache"])
        }
    }

    @Test func `of two template folders the later one wins, file by file`() throws {
        try withTemporaryFolder("templates") { dir in
            try writeFiles([
                "beside/badge.mustache": "<b>beside {{status}}</b>\n",
                "beside/footer.mustache": "<footer>beside</footer>\n",
                "option/badge.mustache": "<b>option {{status}}</b>\n",
            ], in: dir)
            let site = try RenderedSite(SiteFixtures.own("golden"), templates: [dir + "/beside", dir + "/option"])
            let index = try site.text("index.html")
            #expect(index.contains("<b>option accepted</b>"))
            #expect(!index.contains("beside accepted"))
            #expect(index.contains("<footer>beside</footer>"))
        }
    }

    // MARK: - Errors in templates

    /// Loads a theme whose override folder holds `name` with `text` and returns the error text.
    func loadError(_ name: String, _ text: String, extra: [String: String] = [:]) throws -> (folder: String, error: String?) {
        let folder = try makeTemporaryFolder("templates")
        try writeFiles(extra.merging([name: text]) { a, _ in a }, in: folder)
        do {
            _ = try Theme.load(overrides: [folder])
            return (folder, nil)
        } catch let error as TemplateError {
            return (folder, error.description)
        }
    }

    @Test func `an unclosed section is reported at its opening tag`() throws {
        let (folder, error) = try loadError("index.mustache", """
        {{> head}}
        <body>
          <ul>
            {{#decisions}}<li>{{title}}</li>
          </ul>
        </body>
        """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let diagnostic = try #require(error)
        #expect(diagnostic.hasPrefix("\(folder)/index.mustache:4:5: error: "), "\(diagnostic)")
        #expect(diagnostic.contains("never closed"), "\(diagnostic)")
        #expect(diagnostic.contains("decisions"), "\(diagnostic)")
    }

    @Test func `a section closed while an inner one is open names the inner one`() throws {
        let (folder, error) = try loadError("decision.mustache", """
        {{#decision}}
          <h1>{{title}}</h1>
          {{#hasTags}}<ul>{{#tags}}<li>{{.}}</li>{{/tags}}</ul>
        {{/decision}}
        """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let diagnostic = try #require(error)
        // `{{/decision}}` arrives while `{{#hasTags}}` is open: reported where it goes wrong, naming
        // the section that was left open and where it was opened.
        #expect(diagnostic.hasPrefix("\(folder)/decision.mustache:4:1: error: "), "\(diagnostic)")
        #expect(diagnostic.contains("hasTags") && diagnostic.contains("3:3"), "\(diagnostic)")
    }

    @Test func `a section closed with the wrong name is reported at the closing tag`() throws {
        let (folder, error) = try loadError("follow-ups.mustache", """
        <main>
          {{#open}}
            <h3>{{title}}</h3>{{/opened}}
        </main>
        """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let diagnostic = try #require(error)
        #expect(diagnostic.hasPrefix("\(folder)/follow-ups.mustache:3:23: error: "), "\(diagnostic)")
        #expect(diagnostic.contains("wrong name"), "\(diagnostic)")
    }

    @Test func `columns count bytes, as in every other diagnostic of adrsite`() throws {
        // "é" and "—" are 2 and 3 bytes in UTF-8: the tag starts at character 16 but byte column 19.
        let (folder, error) = try loadError("index.mustache", "<main>\n<p>Décisions — {{#decisions}}{{title}}\n</main>\n")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let diagnostic = try #require(error)
        #expect(diagnostic.hasPrefix("\(folder)/index.mustache:2:19: error: "), "\(diagnostic)")
    }

    @Test func `a tag that is never closed is reported with its line`() throws {
        let (folder, error) = try loadError("header.mustache", "<header>\n  <a href=\"{{root}}index.html\">{{siteTitle</a>\n</header>\n")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let diagnostic = try #require(error)
        #expect(diagnostic.hasPrefix("\(folder)/header.mustache:2:"), "\(diagnostic)")
        #expect(diagnostic.contains(": error: "), "\(diagnostic)")
    }

    @Test func `a missing partial is an error naming the file, line and column`() throws {
        let (folder, error) = try loadError("index.mustache", """
        {{> head}}
        <body>
        <p>{{> nope}}</p>
        </body>
        """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(error == "\(folder)/index.mustache:3:4: error: partial 'nope' does not exist (no nope.mustache)")
    }

    @Test func `a missing partial in an extra template is an error too`() throws {
        let (folder, error) = try loadError("footer.mustache", "<footer>{{> contact}}</footer>\n",
                                            extra: ["contact.mustache": "<p>\n  {{>missing-person }}\n</p>\n"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(error == "\(folder)/contact.mustache:2:3: error: partial 'missing-person' does not exist (no missing-person.mustache)")
    }

    @Test func `a templates folder that does not exist is an error`() throws {
        let error = #expect(throws: TemplateError.self) { try Theme.load(overrides: ["/nonexistent/templates"]) }
        #expect(error?.description == "/nonexistent/templates:1:1: error: templates folder does not exist")
    }

    @Test func `the default theme loads without errors and every page renders`() throws {
        let theme = try Theme.load()
        #expect(theme.overridden == [])
        #expect(Set(theme.files.keys) == Set(Theme.defaults.keys))
        let site = try RenderedSite(SiteFixtures.own("golden"))
        for path in site.paths where path.hasSuffix(".html") {
            let text = try site.text(path)
            #expect(text.hasPrefix("<!doctype html>") && text.contains("</html>"), "\(path)")
        }
    }
}
