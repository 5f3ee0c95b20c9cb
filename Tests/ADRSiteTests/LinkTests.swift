import ADRCore
import ADRSite
import Foundation
import Testing

/// Every `href` and `src` of every page resolves to a file of the site, and every `#fragment`
/// to an element id of its page: the site works from file:// and under any sub-path.
@Suite struct LinkTests {
    struct Broken: CustomStringConvertible {
        var page: String
        var link: String
        var description: String { "\(page): \(link)" }
    }

    /// Checks every local link of every HTML page (and the badge SVGs' absence of links).
    static func brokenLinks(in site: String) throws -> [Broken] {
        var broken: [Broken] = []
        var idsCache: [String: Set<String>] = [:]
        func ids(_ page: String) -> Set<String> {
            if let cached = idsCache[page] { return cached }
            let html = (try? String(contentsOfFile: page, encoding: .utf8)) ?? ""
            let found = Set(matches(#"\sid="([^"]*)""#, in: html))
            idsCache[page] = found
            return found
        }
        let files = FileManager.default.enumerator(atPath: site)!.compactMap { $0 as? String }
        for file in files where file.hasSuffix(".html") {
            let page = site + "/" + file
            let html = try String(contentsOfFile: page, encoding: .utf8)
            let pageDir = (page as NSString).deletingLastPathComponent
            for raw in matches(#"\s(?:href|src)="([^"]*)""#, in: html) {
                let link = raw.replacingOccurrences(of: "&amp;", with: "&")
                if link.hasPrefix("http://") || link.hasPrefix("https://") || link.hasPrefix("mailto:") { continue }
                if link.isEmpty { broken.append(Broken(page: file, link: "(empty)")); continue }
                var path = link
                var fragment: String?
                if let hash = path.firstIndex(of: "#") {
                    fragment = String(path[path.index(after: hash)...])
                    path = String(path[..<hash])
                }
                if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
                let target = path.isEmpty ? page
                    : ((pageDir + "/" + (path.removingPercentEncoding ?? path)) as NSString).standardizingPath
                guard target.hasPrefix(site), FileManager.default.fileExists(atPath: target) else {
                    broken.append(Broken(page: file, link: link))
                    continue
                }
                if let fragment, !fragment.isEmpty, target.hasSuffix(".html"),
                   !ids(target).contains(fragment.removingPercentEncoding ?? fragment) {
                    broken.append(Broken(page: file, link: link))
                }
            }
        }
        return broken
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test(arguments: ["nygard", "madr2", "madr3", "log4brains", "status-table", "categories", "seed", "broken"])
    func `every link of a fixture log's site resolves`(_ fixture: String) throws {
        let site = try buildSite(SiteFixtures.core(fixture))
        defer { try? FileManager.default.removeItem(atPath: site) }
        let broken = try Self.brokenLinks(in: site)
        #expect(broken.isEmpty, "\(broken)")
    }

    @Test func `every link of the project's own site resolves`() throws {
        let site = try buildSite(SiteFixtures.projectSite)
        defer { try? FileManager.default.removeItem(atPath: site) }
        let broken = try Self.brokenLinks(in: site)
        #expect(broken.isEmpty, "\(broken)")
    }

    @Test func `the checker finds a broken link and a missing anchor`() throws {
        let site = try buildSite(SiteFixtures.core("clean"))
        defer { try? FileManager.default.removeItem(atPath: site) }
        let page = site + "/0001-use-sqlite.html"
        var html = try String(contentsOfFile: page, encoding: .utf8)
        html = html.replacingOccurrences(of: "</main>", with: "<a href=\"nope.html\">x</a><a href=\"index.html#nope\">y</a></main>")
        try html.write(toFile: page, atomically: false, encoding: .utf8)
        #expect(try Self.brokenLinks(in: site).map(\.link) == ["nope.html", "index.html#nope"])
    }

    @Test func `images referenced by decisions are copied with their relative paths`() throws {
        let site = try buildSite(SiteFixtures.core("categories"))
        defer { try? FileManager.default.removeItem(atPath: site) }
        #expect(FileManager.default.fileExists(atPath: site + "/infra/plan.svg"))
        #expect(FileManager.default.fileExists(atPath: site + "/2022-02-07-tracing/flow.png"))
        let tracing = try String(contentsOfFile: site + "/2022-02-07-tracing.html", encoding: .utf8)
        #expect(tracing.contains("src=\"2022-02-07-tracing/flow.png\""))
        #expect(tracing.contains("href=\"security/0001-rotate-secrets.html\""))
        let secrets = try String(contentsOfFile: site + "/security/0001-rotate-secrets.html", encoding: .utf8)
        #expect(secrets.contains("href=\"../infra/0002-use-terraform.html#decision\""))
        #expect(secrets.contains("href=\"../assets/style.css\""))
    }
}
