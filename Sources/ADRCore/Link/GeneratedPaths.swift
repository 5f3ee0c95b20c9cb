/// The paths of the site that adrsite generates itself. An attachment of the log at one of them
/// (`decisions.json`, `search.json`, `badges/<id>.svg` in the ADR directory) would replace the
/// generated file; the generated file wins, and the attachment gets a diagnostic.
public enum GeneratedPaths {
    /// Files every site has (`sitemap.xml` only with `--base-url`, reserved all the same).
    public static let fixed: Set<String> = [
        "index.html", "follow-ups.html", "404.html", "decisions.json", "search.json", "feed.xml", "sitemap.xml",
        ".nojekyll", ".adrsite-output", "assets/style.css", "assets/site.js", "assets/search.js", "assets/search-index.js", "assets/diagrams.js", "assets/mermaid.min.js",
    ]

    /// Why an attachment at `path` cannot be copied because the site writes its own file there,
    /// or nil. `decisionIDs`: the ids of the log's decisions (their pages and badges);
    /// `themeAssets`: the paths of the theme's extra files (`assets/<name>`).
    public static func problem(_ path: String, decisionIDs: Set<String>, themeAssets: Set<String> = []) -> String? {
        if fixed.contains(path) || themeAssets.contains(path) {
            return "the site writes its own \(path) there"
        }
        if path.hasPrefix("badges/") && path.hasSuffix(".svg") && decisionIDs.contains(String(path.dropFirst(7).dropLast(4))) {
            return "the site writes the badge of decision \(path.dropFirst(7).dropLast(4)) there"
        }
        if path.hasSuffix(".html") && decisionIDs.contains(String(path.dropLast(5))) {
            return "the site writes the page of decision \(path.dropLast(5)) there"
        }
        return nil
    }
}
