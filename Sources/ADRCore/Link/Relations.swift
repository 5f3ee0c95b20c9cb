import Foundation

/// The link stage's work on one decision, on its own: where each of its links leads, the
/// relations and mentions it states, and the follow-ups it addresses. Runs on all cores.
struct Relations {
    let resolver: LinkResolver
    let parsed: [ParsedDecision]
    let ids: [String]

    /// What the link pass finds in one decision.
    struct Found: Sendable {
        var links: [Relation] = []
        var linkIndices: [Int] = []
        var mentions: [Relation] = []
        var mentionIndices: [Int] = []
        var linkTargets: [LinkTarget?] = []
        var diagnostics: [Diagnostic] = []
        var fileChecks: [Linker.FileCheck] = []
        /// Follow-ups of other decisions that this one addresses: (decision, item index), in order.
        var addresses: [(decision: Int, item: Int)] = []
        /// Items of this decision's follow-ups that link to another decision: (item index, decision).
        var itemLinks: [(item: Int, decision: Int)] = []
    }

    /// The anchors of each decision's page that authors link to, by lowercased name, as worked
    /// out (a cache of one chunk of work).
    typealias Anchors = [Int: [String: String]]

    func find(_ i: Int, anchors cache: inout Anchors) -> Found {
        var result = Found()
        let d = parsed[i]
        let base = resolver.index.folders[i]
        // Where each link and image of the body goes.
        let outcomes = d.links.map { resolver.outcome($0.url, base: base) }
        result.linkTargets = Array(repeating: nil, count: d.links.count)
        var toDecisions: [(link: Int, decision: Int, fragment: String?)] = []
        for (k, site) in d.links.enumerated() {
            let found = outcomes[k]
            switch found {
            case .asset(let path, let suffix):
                result.linkTargets[k] = .asset(path: path, suffix: suffix)
            case .nothing, .outside, .broken:
                let url = site.url
                if site.isImage, !url.isEmpty, !url.utf8.contains(UInt8(ascii: ":")), !url.hasPrefix("/") {
                    let problem = if case .outside = found { "is outside the ADR directory; it is not copied" }
                        else { "does not exist" }
                    result.diagnostics.append(.warning(d.source, line: site.line, column: site.column, "image \(url) \(problem)"))
                }
            case .decision, .here, .caseDiffers, .sameName:
                guard let (t, written) = LinkResolver.decision(found, from: i) else { continue }
                var fragment = written
                if let f = fragment, !f.isEmpty {
                    // GitHub matches anchors whatever their case; a page's ids have one case.
                    if cache[t] == nil { cache[t] = anchors(of: t) }
                    if let actual = cache[t]?[(f.removingPercentEncoding ?? f).lowercased()] {
                        fragment = actual
                    } else {
                        let target = t == i ? "this decision" : parsed[t].source
                        result.diagnostics.append(.warning(d.source, line: site.line, column: site.column,
                                                           "link to #\(f): \(target) has no heading with that anchor"))
                    }
                }
                result.linkTargets[k] = .decision(id: ids[t], fragment: fragment)
                toDecisions.append((k, t, fragment))
            }
        }

        // What the file says about other decisions.
        var links: [Relation] = [], linkIndices: [Int] = []
        var mentions: [Relation] = [], mentionIndices: [Int] = []
        for ref in d.references {
            let outcome = ref.link.map { outcomes[Int($0)] }
            guard let t = resolve(ref.target, outcome: outcome, from: i, line: ref.line, column: ref.column,
                                  typed: ref.type.isTyped, into: &result) else { continue }
            if t == i {
                if ref.type.isTyped {
                    result.diagnostics.append(.warning(d.source, line: ref.line, column: ref.column,
                                                       "says it \(ref.type.phrase) itself; ignored"))
                }
                continue
            }
            let relation = Relation(type: ref.type, target: ids[t], line: ref.line)
            if ref.type == .mentions {
                mentions.append(relation)
                mentionIndices.append(t)
            } else {
                links.append(relation)
                linkIndices.append(t)
            }
        }
        // One entry per target and type; a plain link adds nothing to a typed relation.
        var typedTargets = Set<Int>()
        for k in links.indices where links[k].type.isTyped { typedTargets.insert(linkIndices[k]) }
        var seen = Set<Pair>()
        for k in links.indices {
            let r = links[k], t = linkIndices[k]
            if r.type == .linksTo && typedTargets.contains(t) { continue }
            if seen.insert(Pair(type: r.type, target: t)).inserted {
                result.links.append(r)
                result.linkIndices.append(t)
            }
        }
        typedTargets.formUnion(result.linkIndices)
        var seenMentions = Set<Int>()
        for k in mentions.indices {
            let t = mentionIndices[k]
            if !typedTargets.contains(t) && seenMentions.insert(t).inserted {
                result.mentions.append(mentions[k])
                result.mentionIndices.append(t)
            }
        }

        // Follow-ups this decision addresses: "addresses follow-up 2 of ADR-7", `addresses: 0007#2`.
        func address(_ t: Int, _ number: Int, line: Int, column: Int) {
            let count = parsed[t].followUps.count
            guard number >= 1 && number <= count else {
                result.diagnostics.append(.warning(d.source, line: line, column: column,
                                                   "follow-up \(number) of \(parsed[t].source) does not exist (it has \(count == 0 ? "no" : String(count)) follow-up\(count == 1 ? "" : "s"))"))
                return
            }
            result.addresses.append((t, number - 1))
        }
        for ref in d.followUpReferences {
            guard let t = resolve(ref.target, outcome: nil, from: i, line: ref.line, column: ref.column, typed: true,
                                  into: &result), t != i else { continue }
            address(t, ref.number, line: ref.line, column: ref.column)
        }
        // Links to `0001-x.md#follow-up-2`, in the order of the links.
        for (k, t, fragment) in toDecisions {
            guard let fragment, fragment.hasPrefix("follow-up-"), let number = Int(fragment.dropFirst(10)), t != i else {
                continue
            }
            address(t, number, line: d.links[k].line, column: d.links[k].column)
        }
        // An item that links to a later decision is addressed by it.
        if d.followUps.contains(where: { !$0.links.isEmpty }) {
            var target: [Int: Int] = [:]
            for (k, t, _) in toDecisions { target[k] = t }
            for (f, followUp) in d.followUps.enumerated() {
                for link in followUp.links {
                    guard let t = target[Int(link)], t != i else { continue }
                    result.itemLinks.append((f, t))
                }
            }
        }
        return result
    }

    /// The decision a reference names; its warnings go into `result`. For a link of the body,
    /// `outcome` is where it was found to lead.
    private func resolve(_ target: ReferenceTarget, outcome known: LinkResolver.Outcome?, from i: Int, line: Int, column: Int,
                         typed: Bool, into result: inout Found) -> Int? {
        let source = parsed[i].source
        switch target {
        case .url(let url):
            let found = known ?? resolver.outcome(url, base: resolver.index.folders[i])
            report(found, raw: url, source: source, line: line, column: column, into: &result)
            return LinkResolver.decision(found, from: i)?.0
        case .number(let n):
            guard let list = resolver.index.byNumber[n] else {
                if typed { result.diagnostics.append(.warning(source, line: line, column: column, "no decision has number \(n)")) }
                return nil
            }
            if list.count > 1 {
                let sources = list.map { parsed[$0].source }.joined(separator: ", ")
                result.diagnostics.append(.warning(source, line: line, column: column,
                                                   "ADR \(n) is ambiguous: \(sources) have that number; link to the file instead"))
                return nil
            }
            return list[0]
        case .name(let name):
            let lower = name.lowercased()
            if let t = resolver.index.byID[lower] { return t }
            if let t = LogIndex.unique(resolver.index.byFileName[lower + ".md"]) { return t }
            if let t = resolver.index.basesLower.firstIndex(where: { $0.hasSuffix(lower) }) { return t }
            result.diagnostics.append(.warning(source, line: line, column: column, "no decision is named \(name)"))
            return nil
        }
    }

    /// The warning a reference to `raw` gets, if any.
    private func report(_ outcome: LinkResolver.Outcome, raw: String, source: String, line: Int, column: Int,
                        into result: inout Found) {
        switch outcome {
        case .caseDiffers(let t, _):
            result.diagnostics.append(.warning(source, line: line, column: column,
                                               "link to \(raw) differs in case from \(parsed[t].source); it works on case-insensitive file systems only"))
        case .sameName(let t, _):
            result.diagnostics.append(.warning(source, line: line, column: column,
                                               "link to \(raw) does not resolve; it was taken to mean \(parsed[t].source), the only decision of that name"))
        case .broken(let check):
            let warning = Diagnostic.warning(source, line: line, column: column, "broken link: \(raw) does not exist")
            if let check {
                result.fileChecks.append(Linker.FileCheck(path: check, diagnostic: warning))
            } else {
                result.diagnostics.append(warning)
            }
        case .decision, .here, .asset, .nothing, .outside:
            break
        }
    }

    /// The anchors of a decision's page that authors link to: headings, follow-ups and ids
    /// in raw HTML, by lowercased name.
    private func anchors(of t: Int) -> [String: String] {
        var anchors: [String: String] = [:]
        for s in parsed[t].sections { anchors[s.anchor.lowercased()] = s.anchor }
        for f in parsed[t].followUps { anchors[f.anchor] = f.anchor }
        anchors["follow-ups"] = "follow-ups"
        for id in parsed[t].htmlAnchors { anchors[id.lowercased()] = id }
        return anchors
    }

    /// A relation type and the decision it points at.
    private struct Pair: Hashable {
        var type: RelationType
        var target: Int
    }

    /// What other decisions say about each one: the reverse of every link and mention, in the
    /// order of the log.
    static func backlinks(_ found: [Found], ids: [String]) -> [[Backlink]] {
        // A decision's links hold each (type, target) once, its mentions each target once and
        // none of the targets of its links: no backlink is added twice.
        var out = [[Backlink]](repeating: [], count: found.count)
        for i in found.indices {
            for (k, l) in found[i].links.enumerated() {
                out[found[i].linkIndices[k]].append(Backlink(type: l.type, source: ids[i]))
            }
            for (k, m) in found[i].mentions.enumerated() {
                out[found[i].mentionIndices[k]].append(Backlink(type: m.type, source: ids[i]))
            }
        }
        return out
    }
}
