import ADRCore
import ADRSite
import Foundation
import Testing

/// Headless Chromium (Debian's `chromium`): `--dump-dom` runs the page's script and prints the
/// resulting DOM; `innerText` of the page, read through a same-folder wrapper page, is the text
/// a person sees (hidden rows and `display: none` excluded).
enum Chromium {
    static var executable: String? {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
                let path = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    /// The DOM of `url` after its scripts ran (for at most `budget` ms of the page's time).
    static func dumpDOM(_ url: String, extraArguments: [String] = [], budget: Int = 5000) throws -> String {
        guard let chromium = executable else {
            throw Missing(message: "chromium is not installed (apt-get install chromium); these tests check pages in a real browser")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("adrsite-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                             "--user-data-dir=\(profile)", "--virtual-time-budget=\(budget)"] + extraArguments + ["--dump-dom", url]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// What a person sees on the page at `path?query` (relative to `site`): its `innerText`.
    static func visibleText(site: String, page: String) throws -> String {
        let wrapper = site + "/__visible-\(UUID().uuidString).html"
        try """
        <!doctype html><meta charset="utf-8">
        <iframe id="f" src="\(page)" style="width:1280px;height:4000px"></iframe>
        <pre id="out"></pre>
        <script>
        document.getElementById('f').onload = function () {
          setTimeout(function () {
            document.getElementById('out').textContent = document.getElementById('f').contentDocument.body.innerText;
          }, 200);
        };
        </script>
        """.write(toFile: wrapper, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: wrapper) }
        let dom = try dumpDOM(URL(fileURLWithPath: wrapper).absoluteString, extraArguments: ["--allow-file-access-from-files"])
        guard let start = dom.range(of: "<pre id=\"out\">"), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            return ""
        }
        return String(dom[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    struct Missing: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// Rows of the index's table in DOM order: (data-status, hidden, text of the title cell).
func indexRows(_ dom: String) -> [(status: String, hidden: Bool, title: String)] {
    let regex = try! NSRegularExpression(pattern: #"<tr class="[^"]*"([^>]*)>\s*<td class="number">[^<]*</td>\s*<td class="title"><a href="[^"]*">([^<]*)</a>"#)
    let range = NSRange(dom.startIndex..., in: dom)
    return regex.matches(in: dom, range: range).map { m in
        let attributes = String(dom[Range(m.range(at: 1), in: dom)!])
        let title = String(dom[Range(m.range(at: 2), in: dom)!])
        let status = attributes.components(separatedBy: "data-status=\"").dropFirst().first?.components(separatedBy: "\"").first ?? ""
        return (status, attributes.contains("hidden"), title)
    }
}

/// Runs Tests/browser/check_pages.py (Python's playwright driving Debian's chromium, and
/// axe-core) over built sites; its output is the failure message.
enum PageChecks {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("browser/check_pages.py").path

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runTool("/usr/bin/env", ["python3", script] + arguments)
    }

    /// The real logs of ../shared/corpus (beside the repository), those that are there.
    static var corpus: [String] {
        let folder = SiteFixtures.testsRoot.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/corpus").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().map { folder + "/" + $0 }.filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}

@Suite(.serialized) struct BrowserTests {
    @Test func `every page of site/ and of the real logs fits a phone and a desktop, badges agree, search finds body words and numbers, Back undoes a filter, 404 works at any depth, axe finds nothing serious`() throws {
        var sites = [try buildSite(SiteFixtures.projectSite)]
        var arguments = ["--site", "site=" + sites[0], "--axe", "site",
                         "--expect", "site:fsync=0009-never-destroy-user-files.html",
                         "--expect", "site:RENAME_SWAP=0009-never-destroy-user-files.html"]
        for log in PageChecks.corpus {
            sites.append(try buildSite(log))
            arguments += ["--site", (log as NSString).lastPathComponent + "=" + sites.last!]
        }
        defer { for site in sites { try? FileManager.default.removeItem(atPath: site) } }
        let result = try PageChecks.run(arguments)
        #expect(result.status == 0, "Tests/browser/check_pages.py failed:\n\(result.output)")
        #expect(result.output.contains("site: "), "the checks did not run on site/:\n\(result.output)")
    }

    @Test func `the index filtered by ?status=superseded shows only the superseded rows`() throws {
        let site = try buildSite(SiteFixtures.core("nygard"))
        defer { try? FileManager.default.removeItem(atPath: site) }
        let dom = try Chromium.dumpDOM(URL(fileURLWithPath: site + "/index.html").absoluteString + "?status=superseded")
        let rows = indexRows(dom)
        #expect(rows.count == 5)
        #expect(rows.filter { !$0.hidden }.map(\.title) == ["Deploy with Ansible"])
        #expect(rows.filter { !$0.hidden }.allSatisfy { $0.status == "superseded" })
        #expect(dom.contains("data-status=\"superseded\" aria-current=\"true\"")
                || dom.contains("aria-current=\"true\" data-status=\"superseded\"")
                || dom.range(of: #"chip-superseded"[^>]*aria-current="true""#, options: .regularExpression) != nil)
        #expect(dom.contains("Showing 1 of 5 decisions (superseded)."))

        let seen = try Chromium.visibleText(site: site, page: "index.html?status=superseded")
        #expect(seen.contains("Deploy with Ansible"))
        #expect(!seen.contains("Use PostgreSQL"))
        #expect(!seen.contains("Record architecture decisions"))
    }

    @Test func `without a filter every row is shown, newest first, and ?sort=title&order=asc sorts by title`() throws {
        let site = try buildSite(SiteFixtures.core("nygard"))
        defer { try? FileManager.default.removeItem(atPath: site) }
        let plain = indexRows(try Chromium.dumpDOM(URL(fileURLWithPath: site + "/index.html").absoluteString))
        #expect(plain.filter { !$0.hidden }.map(\.title) == ["Deploy with Kubernetes", "Deploy with Ansible",
                                                             "Use read replicas", "Use PostgreSQL",
                                                             "Record architecture decisions"])
        let sorted = indexRows(try Chromium.dumpDOM(URL(fileURLWithPath: site + "/index.html").absoluteString
                                                    + "?sort=title&order=asc"))
        #expect(sorted.map(\.title) == ["Deploy with Ansible", "Deploy with Kubernetes", "Record architecture decisions",
                                        "Use PostgreSQL", "Use read replicas"])
    }

    @Test func `a superseded decision's page shows its badge, the banner naming its successor, and its relations`() throws {
        let site = try buildSite(SiteFixtures.core("nygard"))
        defer { try? FileManager.default.removeItem(atPath: site) }
        let seen = try Chromium.visibleText(site: site, page: "0004-deploy-with-ansible.html")
        #expect(seen.contains("Deploy with Ansible"))
        #expect(seen.contains("Status\nsuperseded") || seen.contains("Status superseded") || seen.contains("Status\tsuperseded"))
        #expect(seen.contains("Superseded. This decision was replaced by ADR-0005: Deploy with Kubernetes accepted"))
        #expect(seen.contains("SUPERSEDED BY"))   // the relations panel heading (uppercased by CSS)
        let dom = try Chromium.dumpDOM(URL(fileURLWithPath: site + "/0004-deploy-with-ansible.html").absoluteString)
        #expect(dom.contains(#"<div class="banner banner-superseded" role="note">"#))
        #expect(dom.contains(#"<span class="badge badge-superseded" title="Status: superseded">superseded</span>"#))
    }

    @Test func `a decision page shows its backlinks and each follow-up with its resolution`() throws {
        let site = try buildSite(SiteFixtures.core("seed"))
        defer { try? FileManager.default.removeItem(atPath: site) }
        let seen = try Chromium.visibleText(site: site, page: "0001-use-go-for-services.html")
        #expect(seen.contains("Choose an HTTP router. addressed by ADR-0002 Use chi as HTTP Router accepted"))
        #expect(seen.contains("Define a logging convention. addressed by ADR-0003 Log as JSON Lines proposed"))
        #expect(seen.contains("Set up a shared CI template. open"))
        // The decisions that address its follow-ups also link to it: listed once, under the stronger relation.
        #expect(seen.contains("FOLLOW-UPS ADDRESSED BY"))
        #expect(!seen.contains("REFERENCED BY"))
        #expect(seen.contains("ADR-0002 Use chi as HTTP Router"))
        let dom = try Chromium.dumpDOM(URL(fileURLWithPath: site + "/0001-use-go-for-services.html").absoluteString)
        #expect(dom.contains(#"<li id="follow-up-3">"#))
        #expect(dom.contains(#"<a href="0002-use-chi-as-http-router.html">ADR-0002 Use chi as HTTP Router</a>"#))

        // The decision that addresses a follow-up links back to it.
        let chi = try Chromium.dumpDOM(URL(fileURLWithPath: site + "/0002-use-chi-as-http-router.html").absoluteString)
        #expect(chi.contains(#"<a href="0001-use-go-for-services.html">ADR-0001</a>"#))
    }

    @Test func `the search box finds decisions from file:// without a server`() throws {
        let site = try buildSite(SiteFixtures.core("nygard"))
        defer { try? FileManager.default.removeItem(atPath: site) }
        // Type into the search box from a wrapper page, then read the results the page shows.
        let wrapper = site + "/__search.html"
        try """
        <!doctype html><meta charset="utf-8">
        <iframe id="f" src="index.html" style="width:1280px;height:2000px"></iframe>
        <pre id="out"></pre>
        <script>
        var f = document.getElementById('f');
        f.onload = function () {
          var d = f.contentDocument, input = d.getElementById('search-input');
          input.focus();
          input.value = 'kubernetes';
          input.dispatchEvent(new Event('input'));
          setTimeout(function () { document.getElementById('out').textContent = d.getElementById('search-results').innerText; }, 500);
        };
        </script>
        """.write(toFile: wrapper, atomically: false, encoding: .utf8)
        let dom = try Chromium.dumpDOM(URL(fileURLWithPath: wrapper).absoluteString, extraArguments: ["--allow-file-access-from-files"])
        #expect(dom.contains("ADR-0005 Deploy with Kubernetes"))
        #expect(!dom.contains("ADR-0002 Use PostgreSQL"))
    }
}
