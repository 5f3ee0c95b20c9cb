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
        var bases = Parallel.map(sources.count) { Paths.id(sources[$0]) }
        for i in bases.indices {
            guard let short = fitting(bases[i]) else { continue }
            diagnostics.append(.warning(sources[i], "file name is too long for its page (\(Paths.lastComponent(bases[i]).utf8.count) bytes); its page is \(short).html"))
            bases[i] = short
        }
        for i in sources.indices.sorted(by: { sources[$0] < sources[$1] }) {
            let base = bases[i]
            var id = base
            var lower = Paths.lowered(base)
            var n = 2
            while let holder = taken[lower] {
                if n == 2 {
                    let why = holder.isEmpty ? "is a page of the site itself" : "is also the id of \(holder)"
                    diagnostics.append(.warning(sources[i], "page name \(base).html \(why); this decision's page is \(base)-2.html"))
                }
                id = "\(base)-\(n)"
                lower = Paths.lowered(id)
                n += 1
            }
            taken[lower] = sources[i]
            ids[i] = id
        }
        return (ids, bases, diagnostics)
    }

    /// The longest file name most file systems take (NAME_MAX), in bytes.
    static let longestName = 255

    /// An id whose page (`<id>.html`, or `<id>-2.html` beside another of that id) would have a
    /// file name longer than a file system takes: its last part cut to 200 bytes, with the
    /// hash of the whole id after it so that it stays unique and the same on every build.
    /// Nil when the id fits.
    static func fitting(_ id: String) -> String? {
        let last = Paths.lastComponent(id)
        guard last.utf8.count + ".html".utf8.count + 8 > longestName else { return nil }
        var cut = ""
        for c in last {
            guard cut.utf8.count + c.utf8.count <= 200 else { break }
            cut.append(c)
        }
        var hash: UInt32 = 0x811C_9DC5   // FNV-1a: stable across runs, unlike Hasher
        for b in id.utf8 { hash = (hash ^ UInt32(b)) &* 0x0100_0193 }
        let hex = String(hash, radix: 16)
        let short = cut + "-" + String(repeating: "0", count: 8 - hex.count) + hex
        let parent = Paths.parent(id)
        return parent.isEmpty ? short : parent + "/" + short
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
