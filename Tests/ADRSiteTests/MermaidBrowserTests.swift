import ADRCore
import ADRSite
import Foundation
import Testing

/// A decision page with a ```` ```mermaid ```` block, opened from `file://` in headless
/// Chromium (Debian's `chromium`, run by `Chromium` of BrowserTests.swift): the
/// vendored Mermaid draws an `<svg>` where the block was, with nothing from another host.
@Suite(.serialized) struct MermaidBrowserTests {
    static let decisions = [
        "0001-flow.md": """
        # 1. Use a queue between the services

        Status: Accepted

        ## Context

        ```mermaid
        graph TD
          A[Orders] -->|events| B{Queue}
          B --> C["Billing <img src=x onerror=alert(1)>"]
        ```

        ## Decision

        Text after the diagram.
        """,
        "0002-plain.md": "# 2. No diagram\n\nStatus: Accepted\n\nJust text, with `mermaid` as a word.\n",
    ]

    /// The DOM of a page after its scripts ran, from `file://`; any request to another host
    /// fails: the page must not need one.
    static func dumpDOM(_ path: String) throws -> String {
        try Chromium.dumpDOM("file://" + path, extraArguments: ["--host-resolver-rules=MAP * ~NOTFOUND"], budget: 10000)
    }

    @Test func `a Mermaid block is drawn as an SVG diagram from file://`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adrsite-mermaid-log-\(UUID().uuidString)").path
        try writeFiles(Self.decisions, in: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let site = try buildSite(folder)
        defer { try? FileManager.default.removeItem(atPath: site) }
        #expect(FileManager.default.fileExists(atPath: site + "/assets/mermaid.min.js"))

        let dom = try Self.dumpDOM(site + "/0001-flow.html")
        let pre = try #require(dom.range(of: "<pre class=\"mermaid\"").map { String(dom[$0.lowerBound...]) })
        let block = String(pre[..<(pre.range(of: "</pre>")?.upperBound ?? pre.endIndex)])
        #expect(block.contains("<svg"), "no SVG where the block was: \(block.prefix(300))")
        #expect(block.contains("Orders") && block.contains("Queue"), "the diagram's labels are missing")
        #expect(!block.contains("language-mermaid"), "the source is still shown as code")
        // Mermaid's strict mode: the label's markup is text, never an element with a handler.
        #expect(!dom.contains("onerror=\"alert"), "a handler from the diagram's text reached the page")
        #expect(dom.contains("Text after the diagram."))
    }

    @Test func `pages without a diagram load no Mermaid, and a log without one gets no copy`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adrsite-mermaid-log-\(UUID().uuidString)").path
        try writeFiles(["0002-plain.md": Self.decisions["0002-plain.md"]!], in: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let site = try buildSite(folder)
        defer { try? FileManager.default.removeItem(atPath: site) }
        #expect(!FileManager.default.fileExists(atPath: site + "/assets/mermaid.min.js"))
        #expect(!FileManager.default.fileExists(atPath: site + "/assets/diagrams.js"))
        let page = try String(contentsOfFile: site + "/0002-plain.html", encoding: .utf8)
        #expect(!page.contains("mermaid.min.js"))
    }
}
