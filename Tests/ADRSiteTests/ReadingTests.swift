import ADRCore
import Foundation
import Testing
@testable import ADRSite

/// What a reader sees, decided in the view models: badge words, columns and navigation that
/// exist only where the log has something for them, the table of contents, the page language and
/// the text the search box searches. (How it looks is checked in Chromium: BrowserTests.)
@Suite struct ReadingTests {
    /// Renders a log written from `files` and returns the site.
    static func site(_ files: [String: String], options: SiteOptions = SiteOptions()) throws -> RenderedSite {
        let dir = try makeTemporaryFolder("reading")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeFiles(files, in: dir)
        return try RenderedSite(dir, options: options)
    }

    static let supersededButAccepted = [
        "0001-use-mysql.md": "# 1. Use MySQL\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nWe store orders.\n",
        "0002-use-postgres.md": """
            # 2. Use Postgres

            Date: 2021-01-01

            ## Status

            Accepted

            Supersedes [ADR-0001](0001-use-mysql.md)

            ## Context

            MySQL lacks transactional DDL; we call fsync ourselves.
            """,
    ]

    @Test func `a decision another one supersedes shows "superseded" in the superseded colour, with its status line in the tooltip`() throws {
        let site = try Self.site(Self.supersededButAccepted)
        let index = try site.text("index.html")
        #expect(index.contains(#"<span class="badge badge-superseded" title="Status: superseded (its status line says “accepted”)">superseded</span>"#))
        #expect(!index.contains(#"badge-superseded" title="Status: accepted">accepted"#))
        let badge = try site.text("badges/0001-use-mysql.svg")
        #expect(badge.contains(">superseded</text>") && badge.contains("#9a6700"))
        #expect(!badge.contains(">accepted</text>"))
    }

    @Test func `a log without follow-ups, numbers or categories shows no column, count or navigation item for them`() throws {
        let site = try Self.site([
            "2020-01-01-use-mysql.md": "# Use MySQL\n\n## Status\n\nAccepted\n",
            "2021-05-01-use-postgres.md": "# Use Postgres\n\n## Status\n\nProposed\n",
        ])
        let index = try site.text("index.html")
        #expect(!index.contains("follow-ups.html"))
        #expect(!index.contains("open follow-ups"))
        #expect(!index.contains(#"data-sort="followups""#))
        #expect(!index.contains(#"data-sort="number""#))
        #expect(!index.contains(#"data-sort="category""#))
        #expect(index.contains(#"data-default-sort="date""#))
        #expect(index.contains(#"data-sort="date" aria-sort="descending""#))
        // Newest first by date when there are no numbers.
        let newer = try #require(index.range(of: "Use Postgres")), older = try #require(index.range(of: "Use MySQL"))
        #expect(newer.lowerBound < older.lowerBound)
        let followUps = try site.text("follow-ups.html")
        #expect(followUps.contains("No decision of this log has a follow-up section"))
    }

    @Test func `the chip of decisions without a status says what their badges say`() throws {
        let site = try Self.site([
            "0001-a.md": "# 1. A\n\nNo status here.\n",
            "0002-b.md": "# 2. B\n\n## Status\n\nAccepted\n",
        ])
        let index = try site.text("index.html")
        #expect(index.contains(#"data-status="other"><span class="dot" aria-hidden="true"></span>no status <span class="count">1</span>"#))
        #expect(index.contains(#"title="Status: no status">no status</span>"#))
    }

    @Test func `a decision with three or more sections has a table of contents, one with fewer has none`() throws {
        let long = "# 1. Long\n\n## Status\n\nAccepted\n\n## Context\n\nx\n\n### Detail\n\ny\n\n#### Deep\n\nz\n\n## Decision\n\nw\n"
        let site = try Self.site(["0001-long.md": long, "0002-short.md": "# 2. Short\n\n## Status\n\nAccepted\n\n## Context\n\nx\n"])
        let page = try site.text("0001-long.html")
        #expect(page.contains(#"<nav class="toc" aria-label="Contents">"#))
        #expect(page.contains(##"<li class="toc-level-1"><a href="#context">Context</a></li>"##))
        #expect(page.contains(##"<li class="toc-level-2"><a href="#detail">Detail</a></li>"##))
        #expect(!page.contains(##"href="#deep">Deep</a></li>"##))
        #expect(!(try site.text("0002-short.html")).contains(#"class="toc""#))
    }

    @Test func `follow-ups are shown in the body only, and the index links to their section`() throws {
        let site = try Self.site([
            "0001-a.md": "# 1. A\n\n## Status\n\nAccepted\n\n## Follow-ups\n\n1. Pick a queue.\n2. Write the runbook.\n",
            "0002-b.md": "# 2. B\n\n## Status\n\nAccepted\n\nAddresses follow-up 1 of [ADR-0001](0001-a.md).\n",
        ])
        let page = try site.text("0001-a.html")
        #expect(page.components(separatedBy: "Write the runbook.").count == 2)   // once, in the body
        #expect(try site.text("index.html").contains(##"<a href="0001-a.html#follow-ups">1 open</a>"##))
        let followUps = try site.text("follow-ups.html")
        // One group for the decision, its items in their own order.
        let pick = try #require(followUps.range(of: "Pick a queue.")), write = try #require(followUps.range(of: "Write the runbook."))
        #expect(pick.lowerBound < write.lowerBound)
        #expect(followUps.contains(#"<span class="follow-up-state open">1 open</span> · <span class="follow-up-state addressed">1 addressed or done</span>"#))
    }

    @Test func `a related decision is listed once, under its strongest relation`() throws {
        let site = try Self.site(Self.supersededButAccepted)
        let page = try site.text("0001-use-mysql.html")
        let start = try #require(page.range(of: "<aside")), end = try #require(page.range(of: "</aside>"))
        let aside = String(page[start.lowerBound..<end.upperBound])
        #expect(aside.contains("<h3>Superseded by</h3>"))
        #expect(!aside.contains("<h3>Referenced by</h3>"))
        #expect(aside.components(separatedBy: "0002-use-postgres.html").count == 2)
    }

    @Test func `the page language is --lang, else the one the decisions' front matter states, else en`() throws {
        let french = [
            "0001-a.md": "---\nlang: fr\nstatus: accepté\n---\n# Utiliser Postgres\n",
            "0002-b.md": "---\nlang: fr\n---\n# Utiliser Redis\n",
            "0003-c.md": "---\nlang: de\n---\n# Kafka verwenden\n",
        ]
        let site = try Self.site(french)
        #expect(try site.text("index.html").contains(#"<html lang="fr">"#))
        #expect(try site.text("0003-c.html").contains(#"<html lang="de">"#))
        var options = SiteOptions()
        options.language = "pt-BR"
        #expect(try Self.site(french, options: options).text("index.html").contains(#"<html lang="pt-BR">"#))
        options.language = "\"><script>"
        #expect(try Self.site(["0001-a.md": "# A\n"], options: options).text("index.html").contains(#"<html lang="en">"#))
        #expect(LogFacts.languageTag("en-GB") == "en-GB" && LogFacts.languageTag("e") == nil && LogFacts.languageTag("fr_FR") == nil)
    }

    @Test func `the search text of every decision of site/ is its body as MarkdownDocument reads it, without the title`() throws {
        let log = Pipeline.decisionLog(SiteFixtures.projectSite)
        #expect(log.decisions.count >= 19)
        func words(_ s: String) -> [Substring] { s.split(whereSeparator: { $0 == " " || $0 == "\n" }) }
        for d in log.decisions {
            // site/'s records have no front matter, and their title is their first heading.
            let source = try String(contentsOfFile: SiteFixtures.projectSite + "/" + d.source, encoding: .utf8)
            let doc = MarkdownDocument.parse(source)
            let title = doc.children(of: MarkdownDocument.root).first { doc[$0].kind == .heading && doc[$0].level == 1 }
            let expected = doc.children(of: MarkdownDocument.root).filter { $0 != title }
                .map { doc.plainText(of: $0) }.joined(separator: " ")
            let text = searchableText(of: d)
            #expect(words(text) == words(expected), "\(d.id)")
            #expect(!text.contains("  ") && !text.hasPrefix(d.title), "\(d.id)")
        }
    }

    @Test func `the search index holds each decision's body text, its number and its badge word`() throws {
        let site = try Self.site(Self.supersededButAccepted)
        let script = try site.text("assets/search-index.js")
        #expect(script.hasPrefix("window.adrsiteSearch = [") && script.hasSuffix("];\n"))
        let data = Data(script.dropFirst("window.adrsiteSearch = ".count).dropLast(2).utf8)
        let entries = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let postgres = try #require(entries.first { $0["id"] as? String == "0002-use-postgres" })
        #expect((postgres["text"] as? String)?.contains("we call fsync ourselves") == true)
        #expect((postgres["text"] as? String)?.contains("Use Postgres") == false)   // the title is a field of its own
        #expect(postgres["number"] as? Int == 2)
        let mysql = try #require(entries.first { $0["id"] as? String == "0001-use-mysql" })
        #expect(mysql["badge"] as? String == "superseded")
        // search.json has the same entries without the text.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(site.bytes("search.json"))) as? [[String: Any]])
        #expect(json.count == 2 && json.allSatisfy { $0["text"] == nil && $0["title"] != nil })
        #expect(try site.text("assets/search.js").contains("window.adrsiteSearchBox"))
    }
}
