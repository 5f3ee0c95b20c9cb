import Foundation
import Testing

/// Attachments of the log, built by the real binary with a time limit: only passive file types
/// are copied, an SVG only when its XML holds nothing that runs or loads anything, and an
/// attachment never replaces a file the site generates. Links to what is left out are text.
@Suite struct AttachmentCLITests {
    static let good = "# 1. Good\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nFine.\n"

    /// Builds a log whose decision 0002 links to each of `attachments` (path → content).
    static func build(_ attachments: [String: String], _ more: [String] = []) throws -> (dir: String, run: Run) {
        var files = ["adr/0001-good.md": good]
        let links = attachments.keys.sorted().enumerated().map { "[file \($0.offset)](<\($0.element)>)" }.joined(separator: "\n\n")
        files["adr/0002-links.md"] = "# 2. Links\n\n## Status\n\nAccepted\n\n\(links)\n"
        for (path, text) in attachments { files["adr/" + path] = text }
        let dir = try makeFolder(files)
        let run = try Run.adrsite(["build", "adr", "-o", "site"] + more, in: dir, timeout: 60)
        return (dir, run)
    }

    static func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static let scripted: [String: String] = [
        "svg-prefix.svg": #"<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:script>alert(1)</svg:script></svg:svg>"#,
        "xhtml-prefix.svg": #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml"><h:script>alert(1)</h:script></svg>"#,
        "xhtml-other.svg": #"<svg xmlns="http://www.w3.org/2000/svg"><x:img xmlns:x="http://www.w3.org/1999/xhtml" src="x" onerror="alert(1)"/></svg>"#,
        "handler-newline.svg": "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"9\" height=\"9\" onclick\n=\n\"alert(1)\"/></svg>",
        "handler-prefixed.svg": #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:e="urn:e"><rect e:onload="alert(1)"/></svg>"#,
        "entity-href.svg": #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="&#x6A;ava&#x0A;script&#58;alert(1)"><text>x</text></a></svg>"#,
        "animate-href.svg": #"<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="https://evil.example/"/><text>x</text></a></svg>"#,
        "foreign.svg": #"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>"#,
        "external-use.svg": #"<svg xmlns="http://www.w3.org/2000/svg"><use href="other.svg#x"/></svg>"#,
        "external-link.svg": #"<svg xmlns="http://www.w3.org/2000/svg"><a href="https://evil.example/"><text>x</text></a></svg>"#,
        "stylesheet.svg": "<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"https://evil.example/x.css\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        "css-import.svg": #"<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/x.css);</style></svg>"#,
        "doctype.svg": "<!DOCTYPE svg [<!ENTITY x \"&#60;script&#62;alert(1)&#60;/script&#62;\">]>\n<svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>",
        "ill-formed.svg": #"<svg xmlns="http://www.w3.org/2000/svg"><rect onclick&#x20;="alert(1)"/></svg>"#,
    ]

    @Test func `an SVG that could run a script or load from elsewhere is not copied, however it is spelled`() throws {
        var attachments = Self.scripted
        // A clean diagram with an internal reference, a gradient and an image beside it is copied.
        attachments["clean.svg"] = ##"<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><defs><linearGradient id="g"/></defs><title>A &amp; B</title><rect id="r" fill="url(#g)" width="9" height="9" style="stroke: #000"/><use xlink:href="#r"/><text>onward</text></svg>"##
        let (dir, run) = try Self.build(attachments)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(run.status == 0, "\(run.stderr)")
        for name in Self.scripted.keys.sorted() {
            #expect(!FileManager.default.fileExists(atPath: dir + "/site/" + name), "\(name) was copied")
            #expect(run.stderr.contains("adr/\(name):1:1: warning: not copied into the site: "), "\(name): \(run.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/site/clean.svg"), "\(run.stderr)")
        let page = try #require(Self.text(dir + "/site/0002-links.html"))
        #expect(page.contains("href=\"clean.svg\""))
        for name in Self.scripted.keys { #expect(!page.contains("href=\"\(name)\""), "a link to \(name) is still a link") }
    }

    @Test func `attachments of types a static host serves as pages are not copied; passive types are`() throws {
        let active = ["page.shtml", "schema.xsd", "grammar.rng", "data.xml", "style.xsl", "feed.atom", "app.js",
                      "run.php", "image.php.png", "Makefile", "notes.xhtml", "math.mml"]
        let passive = ["photo.PNG", "spec.pdf", "numbers.csv", "notes.txt", "data.json", "slides.pptx", "archive.zip",
                       "config.yaml", "diagram.drawio", "v1.2.final.jpg"]
        var attachments: [String: String] = [:]
        for name in active + passive { attachments[name] = "content of \(name)\n" }
        let (dir, run) = try Self.build(attachments)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(run.status == 0, "\(run.stderr)")
        for name in active {
            #expect(!FileManager.default.fileExists(atPath: dir + "/site/" + name), "\(name) was copied")
            #expect(run.stderr.contains("adr/\(name):1:1: warning: not copied into the site: "), "\(name): \(run.stderr)")
        }
        for name in passive {
            #expect(Self.text(dir + "/site/" + name) == "content of \(name)\n", "\(name) was not copied: \(run.stderr)")
        }
    }

    @Test(arguments: [false, true])
    func `an attachment at a path the site generates never replaces the generated file`(_ unsafeHTML: Bool) throws {
        let (dir, run) = try Self.build([
            "decisions.json": #"{"forged": true}"#, "search.json": #"[{"forged": true}]"#,
            "badges/0001-good.svg": #"<svg xmlns="http://www.w3.org/2000/svg"><text>FORGED</text></svg>"#,
            "badges/other.svg": #"<svg xmlns="http://www.w3.org/2000/svg"><text>own badge</text></svg>"#,
        ], unsafeHTML ? ["--unsafe-html"] : [])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(run.status == 0, "\(run.stderr)")
        for name in ["decisions.json", "search.json", "badges/0001-good.svg"] {
            #expect(run.stderr.contains("adr/\(name):1:1: warning: not copied into the site: the site writes "), "\(name): \(run.stderr)")
            #expect(!(Self.text(dir + "/site/" + name) ?? "").contains("forged") && !(Self.text(dir + "/site/" + name) ?? "").contains("FORGED"))
        }
        let json = try #require(FileManager.default.contents(atPath: dir + "/site/decisions.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 1)
        #expect(Self.text(dir + "/site/badges/other.svg")?.contains("own badge") == true, "an attachment at a free path is copied")
        // Each file once in the marker.
        let marker = try #require(Self.text(dir + "/site/.adrsite-output")).split(separator: "\n").dropFirst()
        #expect(marker.count == Set(marker).count, "\(marker)")
    }
}
