/// Which decisions are superseded, and whether the log agrees with itself about it: both sides
/// of a supersession should say so, a superseded decision should name its successor, and no
/// decision should supersede itself through others.
enum Supersession {
    /// The status category of each decision after the link pass (anything with a successor
    /// counts as superseded, unless it says deprecated or rejected), and the warnings.
    static func check(_ parsed: [ParsedDecision], found: [Relations.Found], backlinks: [[Backlink]])
        -> (categories: [StatusCategory], diagnostics: [Diagnostic]) {
        let count = parsed.count
        var diagnostics: [Diagnostic] = []
        var categories = parsed.map(\.statusCategory)
        // successor edges: older -> newer
        var successors: [[Int]] = Array(repeating: [], count: count)
        // Who says they supersede whom, and who says they are superseded by whom.
        var supersedes = Set<Edge>(), supersededBy = Set<Edge>()
        for i in 0..<count {
            for (k, l) in found[i].links.enumerated() {
                if l.type == .supersedes { supersedes.insert(Edge(from: i, to: found[i].linkIndices[k])) }
                if l.type == .supersededBy { supersededBy.insert(Edge(from: i, to: found[i].linkIndices[k])) }
            }
        }
        for i in 0..<count {
            for (k, r) in found[i].links.enumerated() {
                let t = found[i].linkIndices[k]
                switch r.type {
                case .supersededBy:
                    successors[i].append(t)
                    if !supersedes.contains(Edge(from: t, to: i)) {
                        diagnostics.append(.warning(parsed[i].source, line: r.line, column: 1,
                                                    "says it is superseded by \(parsed[t].source), which does not say it supersedes this decision"))
                    }
                case .supersedes:
                    successors[t].append(i)
                    let category = categories[t]
                    if !supersededBy.contains(Edge(from: t, to: i)) && category != .superseded && category != .deprecated
                        && category != .rejected {
                        diagnostics.append(.warning(parsed[t].source, line: 1, column: 1,
                                                    "is superseded by \(parsed[i].source) (it says so), but its own status is \(parsed[t].status.map { "'\($0)'" } ?? "missing")"))
                    }
                default:
                    break
                }
            }
        }
        for i in 0..<count where !successors[i].isEmpty {
            if categories[i] != .deprecated && categories[i] != .rejected { categories[i] = .superseded }
        }
        for i in 0..<count where categories[i] == .superseded && successors[i].isEmpty && !namesSuccessor(found[i], backlinks[i]) {
            diagnostics.append(.warning(parsed[i].source, line: 1, column: 1,
                                        "status is \(parsed[i].status ?? "superseded") but no decision is named as its successor"))
        }
        diagnostics += cycles(successors, parsed: parsed)
        return (categories, diagnostics)
    }

    /// Whether anything names a successor of the decision (`Decision.successors` is not empty).
    private static func namesSuccessor(_ found: Relations.Found, _ backlinks: [Backlink]) -> Bool {
        found.links.contains { $0.type.pointsToSuccessor } || backlinks.contains { $0.type.reverse.pointsToSuccessor }
    }

    /// A warning for each cycle of successors: A superseded by B superseded by A.
    private static func cycles(_ successors: [[Int]], parsed: [ParsedDecision]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let next = successors.map { $0.count < 2 ? $0 : Array(Set($0)).sorted() }
        var state = [UInt8](repeating: 0, count: successors.count)   // 0 new, 1 on stack, 2 done
        var reported = Set<Int>()
        var stack: [(Int, Int)] = []
        var path: [Int] = []
        for start in successors.indices where state[start] == 0 {
            if next[start].isEmpty {
                state[start] = 2
                continue
            }
            stack.removeAll(keepingCapacity: true)
            path.removeAll(keepingCapacity: true)
            stack.append((start, 0))
            path.append(start)
            state[start] = 1
            while let (node, position) = stack.last {
                let succ = next[node]
                if position < succ.count {
                    stack[stack.count - 1].1 += 1
                    let t = succ[position]
                    if state[t] == 1 {
                        if let k = path.firstIndex(of: t), !reported.contains(t) {
                            let cycle = path[k...] + [t]
                            reported.formUnion(cycle)
                            diagnostics.append(.warning(parsed[t].source, line: 1, column: 1,
                                                        "supersession cycle: " + cycle.map { parsed[$0].source }.joined(separator: " → ")))
                        }
                    } else if state[t] == 0 {
                        state[t] = 1
                        stack.append((t, 0))
                        path.append(t)
                    }
                } else {
                    state[node] = 2
                    stack.removeLast()
                    path.removeLast()
                }
            }
        }
        return diagnostics
    }

    private struct Edge: Hashable {
        var from: Int
        var to: Int
    }
}
