import Testing
@testable import ADRCore

@Suite struct GeneratedPathsTests {
    @Test(arguments: ["decisions.json", "search.json", "feed.xml", "sitemap.xml", "index.html", "404.html",
                      "follow-ups.html", "assets/style.css", "assets/site.js", "assets/search-index.js",
                      "badges/0001-x.svg", "0001-x.html", "assets/logo.png"])
    func `a path the site generates is reserved`(_ path: String) {
        #expect(GeneratedPaths.problem(path, decisionIDs: ["0001-x"], themeAssets: ["assets/logo.png"]) != nil)
    }

    @Test(arguments: ["badges/other.svg", "img/decisions.json", "assets/diagram.png", "0002-y.html.png", "Decisions.json2"])
    func `other paths are free`(_ path: String) {
        #expect(GeneratedPaths.problem(path, decisionIDs: ["0001-x"], themeAssets: ["assets/logo.png"]) == nil)
    }
}
