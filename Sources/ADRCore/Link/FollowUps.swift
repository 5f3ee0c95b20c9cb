/// Who addresses each follow-up: the decisions that say so ("addresses follow-up 2 of
/// ADR-0007", `addresses: 0007#2`, a link to `0007-x.md#follow-up-2`) and the later decisions an
/// item links to.
enum FollowUps {
    /// Each decision's follow-ups with `addressedBy` filled in (ids, unique, in the order of
    /// the log).
    static func resolve(_ parsed: [ParsedDecision], found: [Relations.Found], ids: [String]) -> [[FollowUp]] {
        // Who addresses each item, in the order they were found: first by reference or link
        // (decision by decision), then the items' own links.
        var by: [[[Int]]] = Array(repeating: [], count: parsed.count)
        func add(_ t: Int, _ item: Int, _ source: Int) {
            if by[t].isEmpty { by[t] = Array(repeating: [], count: parsed[t].followUps.count) }
            by[t][item].append(source)
        }
        for i in found.indices {
            for (t, item) in found[i].addresses { add(t, item, i) }
        }
        for t in found.indices {
            for (item, source) in found[t].itemLinks { add(t, item, source) }
        }
        return parsed.indices.map { t in
            var followUps = parsed[t].followUps
            guard !by[t].isEmpty else { return followUps }
            for f in followUps.indices where !by[t][f].isEmpty {
                let sources = by[t][f]
                let ordered = sources.count == 1 ? sources : Array(Set(sources)).sorted()
                followUps[f].addressedBy = ordered.map { ids[$0] }
            }
            return followUps
        }
    }
}
