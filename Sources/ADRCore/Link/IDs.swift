/// The first pass of the link stage: every decision's id (from its path, unique in the log) and
/// the order of the log.
enum IDs {
    /// Page names the site uses itself; a decision never takes them.
    static let reserved: Set<String> = ["index", "404", "follow-ups", "search", "feed", "sitemap", "decisions", "badges", "assets"]

    /// The id of each source (in the order given): `Paths.id`, with `-2`, `-3`, … where two
    /// sources would share one (in any case) or one is a page of the site, given in the order
    /// of the file names.
    /// `bases` are the ids before any `-2`.
    static func assign(_ sources: [String]) -> (ids: [String], bases: [String], diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var taken: [String: String] = [:]   // lowercased id -> source that has it
        taken.reserveCapacity(sources.count + reserved.count)
        for r in reserved { taken[r] = "" }
        var ids = Array(repeating: "", count: sources.count)
        let bases = sources.map(Paths.id)
        for i in sources.indices.sorted(by: { sources[$0] < sources[$1] }) {
            let base = bases[i]
            var id = base
            var lower = base.lowercased()
            var n = 2
            while let holder = taken[lower] {
                if n == 2 {
                    let why = holder.isEmpty ? "is a page of the site itself" : "is also the id of \(holder)"
                    diagnostics.append(.warning(sources[i], "page name \(base).html \(why); this decision's page is \(base)-2.html"))
                }
                id = "\(base)-\(n)"
                lower = id.lowercased()
                n += 1
            }
            taken[lower] = sources[i]
            ids[i] = id
        }
        return (ids, bases, diagnostics)
    }

    /// The order of the log, as indices into `parsed`: by number, then date, then file name
    /// (`10000-x.md` after `9999-y.md`).
    static func order(_ parsed: [ParsedDecision]) -> [Int] {
        parsed.indices.sorted { a, b in
            switch (parsed[a].number, parsed[b].number) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            switch (parsed[a].date, parsed[b].date) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            return parsed[a].source < parsed[b].source
        }
    }
}
