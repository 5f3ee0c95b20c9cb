import ADRCore

/// The "Related decisions" of a decision page.
extension Context {
    /// Relations as seen from this page: what it says, and the reverse of what others say. Each
    /// decision once, under its strongest relation (the first heading in `labelOrder`), in the
    /// order the relations were found.
    func relationGroups(_ d: Decision) -> [TemplateValue] {
        // (heading's place in `labelOrder`, order found, id).
        var found: [(rank: Int, seq: Int, id: String)] = []
        func add(_ rank: Int?, _ id: String) {
            if let rank { found.append((rank, found.count, id)) }
        }
        for l in d.links { add(Self.rank[l.type], l.target) }
        for m in d.mentions { add(Self.rank[.linksTo], m.target) }
        for b in d.backlinks {
            add(b.type == .linksTo || b.type == .mentions ? Self.referencedBy : Self.rank[b.type.reverse], b.source)
        }
        for f in d.followUps { for id in f.addressedBy { add(Self.addressedBy, id) } }
        for id in addresses[d.id] ?? [] { add(Self.addressesFollowUpsOf, id) }
        found.sort { ($0.rank, $0.seq) < ($1.rank, $1.seq) }
        var shown = Set<String>()
        var groups: [TemplateValue] = []
        var k = 0
        while k < found.count {
            let rank = found[k].rank
            var ids: [String] = []
            while k < found.count && found[k].rank == rank {
                if shown.insert(found[k].id).inserted { ids.append(found[k].id) }
                k += 1
            }
            if !ids.isEmpty { groups.append([.label: .string(Self.labelOrder[rank]), .decisions: refs(ids)]) }
        }
        return groups
    }

    /// Each relation type's heading, as its place in `labelOrder`.
    static let rank: [RelationType: Int] = Dictionary(uniqueKeysWithValues: RelationType.allCases.compactMap { type in
        labelOrder.firstIndex(of: label(for: type)).map { (type, $0) }
    })
    static let referencedBy = labelOrder.firstIndex(of: "Referenced by")
    static let addressedBy = labelOrder.firstIndex(of: "Follow-ups addressed by")
    static let addressesFollowUpsOf = labelOrder.firstIndex(of: "Addresses follow-ups of")

    static let labelOrder = [
        "Supersedes", "Superseded by", "Replaces", "Replaced by", "Reverts", "Reverted by", "Amends", "Amended by",
        "Updates", "Updated by", "Completes", "Completed by", "Clarifies", "Clarified by", "Extends", "Extended by",
        "Addresses follow-ups of", "Follow-ups addressed by", "Relates to", "Links to", "Referenced by",
    ]

    static func label(for type: RelationType) -> String {
        switch type {
        case .linksTo, .mentions: return "Links to"
        default:
            let phrase = type.phrase
            return phrase.prefix(1).uppercased() + phrase.dropFirst()
        }
    }
}
