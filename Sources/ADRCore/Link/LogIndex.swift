/// The lookup tables of the link stage, built once over the log in its order: a decision by
/// path, by path in another case, by file name, by id, by number, and the folder of each.
struct LogIndex: Sendable {
    /// Decisions by source path; a folder's index also by the folder (`slug/README.md` → `slug`).
    var bySource: [String: Int] = [:]
    /// The same, lowercased: only a key that one decision has counts.
    var bySourceLower: [String: Candidates] = [:]
    /// By file name, lowercased.
    var byFileName: [String: Candidates] = [:]
    /// By id, lowercased.
    var byID: [String: Int] = [:]
    var byNumber: [Int: [Int]] = [:]
    /// Numbers used by exactly one decision, with its id.
    var uniqueNumbers: [Int: String] = [:]
    /// The folder each decision is in, and its id before any `-2`, lowercased.
    var folders: [String] = []
    var basesLower: [String] = []

    /// The decisions a key stands for; only a unique one counts.
    struct Candidates: Sendable {
        var first: Int
        var count: Int
    }

    init(sources: [String], ids: [String], bases: [String], numbers: [Int?]) {
        let n = sources.count
        bySource.reserveCapacity(n)
        byID.reserveCapacity(n)
        folders.reserveCapacity(n)
        basesLower.reserveCapacity(n)
        for i in 0..<n {
            let source = sources[i], parent = Paths.parent(source)
            let isFolderIndex = !parent.isEmpty && Paths.isFolderIndex(Paths.lastComponent(source))
            bySource[source] = i
            bySourceLower[Paths.lowered(source), default: Candidates(first: i, count: 0)].count += 1
            if isFolderIndex {
                bySource[parent] = i
                bySourceLower[Paths.lowered(parent), default: Candidates(first: i, count: 0)].count += 1
            }
            byFileName[Paths.lowered(Paths.lastComponent(source)), default: Candidates(first: i, count: 0)].count += 1
            byID[Paths.lowered(ids[i])] = i
            basesLower.append(Paths.lowered(bases[i]))
            if let number = numbers[i] { byNumber[number, default: []].append(i) }
            folders.append(parent)
        }
        for (number, list) in byNumber where list.count == 1 { uniqueNumbers[number] = ids[list[0]] }
    }

    /// The one decision of a key, if only one has it.
    static func unique(_ candidates: Candidates?) -> Int? {
        guard let candidates, candidates.count == 1 else { return nil }
        return candidates.first
    }
}
