import Foundation

/// The link pass: runs once over the whole log. It gives every decision its id, resolves every
/// reference, records each relation's reverse on the other decision, decides who addresses which
/// follow-up, and reports what does not add up.
public enum Linker {
    public struct Options: Sendable {
        /// The repository's web address for the ADR directory (`https://github.com/o/r/tree/main/docs/adr`);
        /// links to it count as links into the log.
        public var repositoryURL: String?
        /// Copy attachments that can run scripts (`--unsafe-html`); otherwise they are left out.
        public var allowActiveAttachments = false
        public init(repositoryURL: String? = nil) { self.repositoryURL = repositoryURL }
    }

    /// Page names the site uses itself; a decision never takes them.
    static let reservedIDs: Set<String> = ["index", "404", "follow-ups", "search", "feed", "sitemap", "decisions", "badges", "assets"]

    public static func link(_ parsed: [ParsedDecision], loaded: LoadedDirectory, options: Options = Options()) -> DecisionLog {
        var linker = State(parsed: parsed.sorted { $0.source < $1.source }, loaded: loaded, options: options)
        linker.assignIDs()
        linker.order()
        linker.buildIndexes()
        linker.resolveReferences()
        linker.addBacklinks()
        linker.resolveFollowUps()
        linker.checkSupersession()
        linker.checkDuplicateNumbers()
        let blocked = linker.checkAttachments()
        var diagnostics = loaded.diagnostics
        for d in linker.decisions { diagnostics += d.parsed.diagnostics }
        diagnostics += linker.diagnostics
        diagnostics.sort()
        var log = DecisionLog(decisions: linker.decisions, diagnostics: diagnostics, assets: loaded.assets,
                              excluded: loaded.excluded, uniqueNumbers: linker.uniqueNumbers)
        log.root = loaded.root
        log.blockedAssets = blocked
        return log
    }

    struct State {
        var decisions: [Decision]
        let loaded: LoadedDirectory
        let options: Options
        var diagnostics: [Diagnostic] = []

        var bySource: [String: Int] = [:]
        var bySourceLower: [String: [Int]] = [:]
        var byFileName: [String: [Int]] = [:]
        var byID: [String: Int] = [:]
        var byNumber: [Int: [Int]] = [:]
        var uniqueNumbers: [Int: String] = [:]
        var assets: Set<String>
        var assetsLower: [String: String] = [:]
        var realRoot: String
        var anchorCache: [Int: [String: String]] = [:]

        init(parsed: [ParsedDecision], loaded: LoadedDirectory, options: Options) {
            self.decisions = parsed.map {
                Decision(id: "", url: "", parsed: $0, followUps: $0.followUps, statusCategory: $0.statusCategory)
            }
            self.loaded = loaded
            self.options = options
            self.assets = Set(loaded.assets)
            for a in loaded.assets { assetsLower[a.lowercased()] = a }
            self.realRoot = realPath(loaded.root) ?? loaded.root
        }

        // MARK: Ids and order

        mutating func assignIDs() {
            var taken: [String: String] = [:]   // lowercased id -> source that has it
            for r in Linker.reservedIDs { taken[r] = "" }
            for i in decisions.indices {
                let base = Linker.baseID(decisions[i].source)
                var id = base
                var n = 2
                while let holder = taken[id.lowercased()] {
                    if n == 2 {
                        let why = holder.isEmpty ? "is a page of the site itself" : "is also the id of \(holder)"
                        diagnostics.append(.warning(decisions[i].source,
                                                    "page name \(base).html \(why); this decision's page is \(base)-2.html"))
                    }
                    id = "\(base)-\(n)"
                    n += 1
                }
                taken[id.lowercased()] = decisions[i].source
                decisions[i].id = id
                decisions[i].url = id + ".html"
            }
        }

        /// By number, then date, then name: `10000-x.md` after `9999-y.md`.
        mutating func order() {
            decisions.sort { a, b in
                switch (a.number, b.number) {
                case let (x?, y?) where x != y: return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                default: break
                }
                switch (a.date, b.date) {
                case let (x?, y?) where x != y: return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                default: break
                }
                return a.source < b.source
            }
        }

        mutating func buildIndexes() {
            for (i, d) in decisions.enumerated() {
                bySource[d.source] = i
                bySourceLower[d.source.lowercased(), default: []].append(i)
                byFileName[lastComponent(d.source).lowercased(), default: []].append(i)
                byID[d.id.lowercased()] = i
                if let n = d.number { byNumber[n, default: []].append(i) }
                // Folder-per-decision: the folder is the decision, too.
                let name = lastComponent(d.source).lowercased()
                if name == "readme.md" || name == "index.md" {
                    bySource[parentPath(d.source)] = i
                    bySourceLower[parentPath(d.source).lowercased(), default: []].append(i)
                }
            }
            for (n, list) in byNumber where list.count == 1 { uniqueNumbers[n] = decisions[list[0]].id }
        }

        // MARK: Resolving references

        enum Resolution {
            case decision(Int, fragment: String?)
            case asset(String, suffix: String)
            case none
        }

        /// Resolves a link destination written in `from`. Warnings go to `warnings` only when
        /// `report` is set (each link is resolved twice: for relations and for rendering).
        mutating func resolve(url raw: String, from: Int, line: Int, column: Int, report: Bool) -> Resolution {
            var url = Substring(raw.trimmingCharacters(in: " \t"))
            var fragment: String?
            var suffix = ""
            if let hash = url.firstIndex(of: "#") {
                fragment = String(url[url.index(after: hash)...])
                suffix = String(url[hash...])
                url = url[..<hash]
            }
            if let q = url.firstIndex(of: "?") {
                suffix = String(url[q...]) + suffix
                url = url[..<q]
            }
            if url.isEmpty {
                return fragment != nil ? .decision(from, fragment: fragment) : .none
            }
            let source = decisions[from].source
            let path = Linker.percentDecode(String(url))
            let lowerPath = path.lowercased()
            let isMarkdown = lowerPath.hasSuffix(".md") || lowerPath.hasSuffix(".markdown")

            if let colon = path.firstIndex(of: ":"), !path[..<colon].contains("/") {
                // An absolute address: only web addresses of this log's files count.
                let scheme = path[..<colon].lowercased()
                guard scheme == "http" || scheme == "https", isMarkdown else { return .none }
                if let repo = options.repositoryURL, !raw.hasPrefix(repo), !Linker.sameRepository(raw, repo) { return .none }
                guard Linker.isForgeURL(path) || options.repositoryURL != nil else { return .none }
                let components = path.split(separator: "/").map(String.init)
                // Longest suffix of the address that is a path in the log.
                for k in stride(from: min(components.count, 6), through: 1, by: -1) {
                    let candidate = components.suffix(k).joined(separator: "/")
                    if let i = bySource[candidate] { return .decision(i, fragment: fragment) }
                }
                return .none
            }

            let base = parentPath(source)
            var normalized: String?
            if path.hasPrefix("/") {
                // Relative to the repository root: find the log's files at the end of the path.
                let components = path.split(separator: "/").map(String.init)
                for k in stride(from: components.count, through: 1, by: -1) {
                    let candidate = components.suffix(k).joined(separator: "/")
                    if bySource[candidate] != nil || assets.contains(candidate) { normalized = candidate; break }
                }
            } else {
                normalized = Linker.normalize(joinPath(base, path))
                if normalized == nil {
                    // Leaves the ADR directory: maybe it comes back in (`../adr/0003-x.md`).
                    let absolute = Linker.normalize(joinPath(joinPath(realRoot, base), path), allowAbove: true)
                    let rootPrefix = realRoot.hasSuffix("/") ? realRoot : realRoot + "/"
                    if let absolute, absolute.hasPrefix(rootPrefix) {
                        normalized = String(absolute.dropFirst(rootPrefix.count))
                    }
                }
            }
            if let p = normalized {
                let trimmed = p.hasSuffix("/") ? String(p.dropLast()) : p
                if let i = bySource[trimmed] { return .decision(i, fragment: fragment) }
                if let candidates = bySourceLower[trimmed.lowercased()], candidates.count == 1 {
                    if report {
                        diagnostics.append(.warning(source, line: line, column: column,
                                                    "link to \(raw) differs in case from \(decisions[candidates[0]].source); it works on case-insensitive file systems only"))
                    }
                    return .decision(candidates[0], fragment: fragment)
                }
                if assets.contains(trimmed) { return .asset(trimmed, suffix: suffix) }
                if let actual = assetsLower[trimmed.lowercased()] { return .asset(actual, suffix: suffix) }
            }
            guard isMarkdown else { return .none }
            // A wrong path to a file that exists in the log under the same name.
            let name = lastComponent(path).lowercased()
            if let candidates = byFileName[name], candidates.count == 1 {
                if report {
                    diagnostics.append(.warning(source, line: line, column: column,
                                                "link to \(raw) does not resolve; it was taken to mean \(decisions[candidates[0]].source), the only decision of that name"))
                }
                return .decision(candidates[0], fragment: fragment)
            }
            if report, !Linker.exists(path.hasPrefix("/") ? nil : joinPath(joinPath(loaded.root, base), path)) {
                diagnostics.append(.warning(source, line: line, column: column, "broken link: \(raw) does not exist"))
            }
            return .none
        }

        mutating func resolve(_ target: ReferenceTarget, from: Int, line: Int, column: Int, typed: Bool) -> Int? {
            switch target {
            case .url(let url):
                if case .decision(let i, _) = resolve(url: url, from: from, line: line, column: column, report: true) {
                    return i
                }
                return nil
            case .number(let n):
                guard let list = byNumber[n] else {
                    if typed {
                        diagnostics.append(.warning(decisions[from].source, line: line, column: column,
                                                    "no decision has number \(n)"))
                    }
                    return nil
                }
                if list.count > 1 {
                    let names = list.map { decisions[$0].source }.joined(separator: ", ")
                    diagnostics.append(.warning(decisions[from].source, line: line, column: column,
                                                "ADR \(n) is ambiguous: \(names) have that number; link to the file instead"))
                    return nil
                }
                return list[0]
            case .name(let name):
                let lower = name.lowercased()
                if let i = byID[lower] { return i }
                if let list = byFileName[lower + ".md"], list.count == 1 { return list[0] }
                if let i = decisions.firstIndex(where: { Linker.baseID($0.source).lowercased().hasSuffix(lower) }) { return i }
                diagnostics.append(.warning(decisions[from].source, line: line, column: column,
                                            "no decision is named \(name)"))
                return nil
            }
        }

        mutating func resolveReferences() {
            for i in decisions.indices {
                var links: [Relation] = []
                var mentions: [Relation] = []
                for ref in decisions[i].parsed.references {
                    guard let t = resolve(ref.target, from: i, line: ref.line, column: ref.column, typed: ref.type.isTyped) else {
                        continue
                    }
                    let target = decisions[t].id
                    if t == i {
                        if ref.type.isTyped {
                            diagnostics.append(.warning(decisions[i].source, line: ref.line, column: ref.column,
                                                        "says it \(ref.type.phrase) itself; ignored"))
                        }
                        continue
                    }
                    let relation = Relation(type: ref.type, target: target, line: ref.line)
                    if ref.type == .mentions {
                        mentions.append(relation)
                    } else {
                        links.append(relation)
                    }
                }
                // One entry per target and type; a plain link adds nothing to a typed relation.
                var seen = Set<String>()
                var typedTargets = Set(links.filter { $0.type.isTyped }.map(\.target))
                links = links.filter { r in
                    if r.type == .linksTo && typedTargets.contains(r.target) { return false }
                    return seen.insert("\(r.type.rawValue) \(r.target)").inserted
                }
                typedTargets.formUnion(links.map(\.target))
                var seenMentions = Set<String>()
                mentions = mentions.filter { !typedTargets.contains($0.target) && seenMentions.insert($0.target).inserted }
                decisions[i].links = links
                decisions[i].mentions = mentions

                // Where each link and image of the body goes, for rendering.
                let doc = decisions[i].parsed.document
                for (n, node) in doc.nodes.enumerated() where node.kind == .link || node.kind == .image {
                    let resolution = resolve(url: node.url, from: i, line: Int(node.line), column: Int(node.column),
                                             report: false)
                    switch resolution {
                    case .decision(let t, var fragment):
                        if let f = fragment, !f.isEmpty {
                            // GitHub matches anchors whatever their case; a page's ids have one case.
                            if let actual = anchor(f, of: t) {
                                fragment = actual
                            } else {
                                let target = t == i ? "this decision" : decisions[t].source
                                diagnostics.append(.warning(decisions[i].source, line: Int(node.line), column: Int(node.column),
                                                            "link to #\(f): \(target) has no heading with that anchor"))
                            }
                        }
                        decisions[i].linkTargets[Int32(n)] = .decision(id: decisions[t].id, fragment: fragment)
                    case .asset(let path, let suffix):
                        decisions[i].linkTargets[Int32(n)] = .asset(path: path, suffix: suffix)
                    case .none:
                        if node.kind == .image, !node.url.isEmpty, !node.url.contains(":"), !node.url.hasPrefix("/") {
                            diagnostics.append(.warning(decisions[i].source, line: Int(node.line), column: Int(node.column),
                                                        "image \(node.url) does not exist"))
                        }
                    }
                }
            }
        }

        /// The anchors of a decision's page that authors link to: headings, follow-ups and ids
        /// in raw HTML, by lowercased name.
        mutating func anchor(_ fragment: String, of t: Int) -> String? {
            if anchorCache[t] == nil {
                var anchors: [String: String] = [:]
                let parsed = decisions[t].parsed
                for s in parsed.sections { anchors[s.anchor.lowercased()] = s.anchor }
                for f in parsed.followUps { anchors[f.anchor] = f.anchor }
                anchors["follow-ups"] = "follow-ups"
                for node in parsed.document.nodes where node.kind == .htmlInline || node.kind == .htmlBlock {
                    for id in HTMLLinks.ids(in: node.literal) { anchors[id.lowercased()] = id }
                }
                anchorCache[t] = anchors
            }
            let decoded = fragment.removingPercentEncoding ?? fragment
            return anchorCache[t]?[decoded.lowercased()]
        }

        mutating func addBacklinks() {
            var index: [String: Int] = [:]
            for (i, d) in decisions.enumerated() { index[d.id] = i }
            for i in decisions.indices {
                for r in decisions[i].links + decisions[i].mentions {
                    guard let t = index[r.target] else { continue }
                    let backlink = Backlink(type: r.type, source: decisions[i].id)
                    if !decisions[t].backlinks.contains(backlink) { decisions[t].backlinks.append(backlink) }
                }
            }
        }

        // MARK: Follow-ups

        mutating func resolveFollowUps() {
            var index: [String: Int] = [:]
            for (i, d) in decisions.enumerated() { index[d.id] = i }
            func address(_ t: Int, _ number: Int, by i: Int, line: Int, column: Int) {
                guard number >= 1 && number <= decisions[t].followUps.count else {
                    let count = decisions[t].followUps.count
                    diagnostics.append(.warning(decisions[i].source, line: line, column: column,
                                                "follow-up \(number) of \(decisions[t].source) does not exist (it has \(count == 0 ? "no" : String(count)) follow-up\(count == 1 ? "" : "s"))"))
                    return
                }
                let id = decisions[i].id
                if !decisions[t].followUps[number - 1].addressedBy.contains(id) {
                    decisions[t].followUps[number - 1].addressedBy.append(id)
                }
            }
            for i in decisions.indices {
                for ref in decisions[i].parsed.followUpReferences {
                    guard let t = resolve(ref.target, from: i, line: ref.line, column: ref.column, typed: true) else { continue }
                    guard t != i else { continue }
                    address(t, ref.number, by: i, line: ref.line, column: ref.column)
                }
                // Links to `0001-x.md#follow-up-2`.
                let doc = decisions[i].parsed.document
                for (node, target) in decisions[i].linkTargets.sorted(by: { $0.key < $1.key }) {
                    guard case .decision(let id, let fragment?) = target, fragment.hasPrefix("follow-up-"),
                          let number = Int(fragment.dropFirst(10)), let t = index[id], t != i else { continue }
                    address(t, number, by: i, line: Int(doc[node].line), column: Int(doc[node].column))
                }
            }
            // An item that links to a later decision is addressed by it.
            for t in decisions.indices {
                for f in decisions[t].followUps.indices {
                    for node in decisions[t].followUps[f].linkNodes {
                        guard case .decision(let id, _)? = decisions[t].linkTargets[node], id != decisions[t].id else { continue }
                        if !decisions[t].followUps[f].addressedBy.contains(id) {
                            decisions[t].followUps[f].addressedBy.append(id)
                        }
                    }
                }
            }
            for t in decisions.indices {
                for f in decisions[t].followUps.indices {
                    decisions[t].followUps[f].addressedBy.sort { (index[$0] ?? 0) < (index[$1] ?? 0) }
                }
            }
        }

        // MARK: Consistency

        mutating func checkSupersession() {
            var index: [String: Int] = [:]
            for (i, d) in decisions.enumerated() { index[d.id] = i }
            // successor edges: older -> newer
            var successors: [[Int]] = Array(repeating: [], count: decisions.count)
            for i in decisions.indices {
                for r in decisions[i].links {
                    guard let t = index[r.target] else { continue }
                    switch r.type {
                    case .supersededBy:
                        successors[i].append(t)
                        let confirmed = decisions[t].links.contains { $0.type == .supersedes && $0.target == decisions[i].id }
                        if !confirmed {
                            diagnostics.append(.warning(decisions[i].source, line: r.line, column: 1,
                                                        "says it is superseded by \(decisions[t].source), which does not say it supersedes this decision"))
                        }
                    case .supersedes:
                        successors[t].append(i)
                        let other = decisions[t]
                        let confirmed = other.links.contains { $0.type == .supersededBy && $0.target == decisions[i].id }
                        if !confirmed && other.statusCategory != .superseded && other.statusCategory != .deprecated
                            && other.statusCategory != .rejected {
                            diagnostics.append(.warning(other.source, line: 1, column: 1,
                                                        "is superseded by \(decisions[i].source) (it says so), but its own status is \(other.status.map { "'\($0)'" } ?? "missing")"))
                        }
                    default:
                        break
                    }
                }
            }
            // Anything with a successor counts as superseded for badges, unless it says deprecated/rejected.
            for i in decisions.indices where !successors[i].isEmpty {
                let c = decisions[i].statusCategory
                if c != .deprecated && c != .rejected { decisions[i].statusCategory = .superseded }
            }
            for i in decisions.indices where decisions[i].statusCategory == .superseded && successors[i].isEmpty
                && decisions[i].successors.isEmpty {
                diagnostics.append(.warning(decisions[i].source, line: 1, column: 1,
                                            "status is \(decisions[i].status ?? "superseded") but no decision is named as its successor"))
            }
            // Cycles: A superseded by B superseded by A.
            var state = [UInt8](repeating: 0, count: decisions.count)   // 0 new, 1 on stack, 2 done
            var reported = Set<Int>()
            for start in decisions.indices where state[start] == 0 {
                var stack: [(Int, Int)] = [(start, 0)]
                var path: [Int] = [start]
                state[start] = 1
                while let (node, next) = stack.last {
                    let succ = Array(Set(successors[node])).sorted()
                    if next < succ.count {
                        stack[stack.count - 1].1 += 1
                        let t = succ[next]
                        if state[t] == 1 {
                            if let k = path.firstIndex(of: t), !reported.contains(t) {
                                let cycle = path[k...] + [t]
                                reported.formUnion(cycle)
                                diagnostics.append(.warning(decisions[t].source, line: 1, column: 1,
                                                            "supersession cycle: " + cycle.map { decisions[$0].source }.joined(separator: " → ")))
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
        }

        /// Attachments the decisions link to that could run scripts on the site (AssetPolicy):
        /// left out, each with a warning, unless allowed.
        mutating func checkAttachments() -> Set<String> {
            guard !options.allowActiveAttachments else { return [] }
            var referenced = Set<String>()
            for d in decisions {
                for target in d.linkTargets.values {
                    if case .asset(let path, _) = target { referenced.insert(path) }
                }
            }
            var blocked = Set<String>()
            for path in referenced.sorted() {
                if let problem = AssetPolicy.problem(path, root: loaded.root) {
                    blocked.insert(path)
                    diagnostics.append(.warning(path, "not copied into the site: \(problem); links to it are written as text (--unsafe-html copies it)"))
                }
            }
            return blocked
        }

        mutating func checkDuplicateNumbers() {
            for (n, list) in byNumber.sorted(by: { $0.key < $1.key }) where list.count > 1 {
                let first = decisions[list[0]].source
                for i in list.dropFirst() {
                    diagnostics.append(.warning(decisions[i].source, line: 1, column: 1,
                                                "number \(n) is also used by \(first)"))
                }
            }
        }
    }

    // MARK: - Helpers

    /// The id of a decision: its path without extension (the folder for `slug/README.md`), each
    /// part reduced to letters, digits, `-`, `_` and `.`.
    public static func baseID(_ source: String) -> String {
        var parts = source.split(separator: "/").map(String.init)
        if let last = parts.last {
            let stem = stripExtension(last)
            if ["readme", "index", "_index"].contains(stem.lowercased()) && parts.count > 1 {
                parts.removeLast()
            } else {
                parts[parts.count - 1] = stem
            }
        }
        let cleaned = parts.map { part -> String in
            // Most names are plain already: letters, digits, `-`, `_`, `.`, not at the ends.
            let bytes = part.utf8
            if let first = bytes.first, let last = bytes.last, first != UInt8(ascii: "-"), first != UInt8(ascii: "."),
               last != UInt8(ascii: "-"), last != UInt8(ascii: "."),
               bytes.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) || $0 == 95 || $0 == 46 || $0 == 45 }),
               !part.contains("--") {
                return part
            }
            let folded = part.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil)
            var out = ""
            var lastDash = false
            for scalar in folded.unicodeScalars {
                let ok = (scalar.value >= 48 && scalar.value <= 57) || (scalar.value >= 65 && scalar.value <= 90)
                    || (scalar.value >= 97 && scalar.value <= 122) || scalar == "_" || scalar == "." || scalar == "-"
                if ok && scalar != "-" {
                    out.unicodeScalars.append(scalar)
                    lastDash = false
                } else if !lastDash {
                    out.append("-")
                    lastDash = true
                }
            }
            let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "-."))
            return trimmed.isEmpty ? "decision" : trimmed
        }
        return cleaned.joined(separator: "/")
    }

    /// Resolves `.` and `..` in a relative path; nil if it leaves the top.
    static func normalize(_ path: String, allowAbove: Bool = false) -> String? {
        var out: [Substring] = []
        let absolute = path.hasPrefix("/")
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if out.isEmpty { if allowAbove && absolute { continue } else { return nil } }
                out.removeLast()
                continue
            }
            out.append(part)
        }
        return (absolute ? "/" : "") + out.joined(separator: "/")
    }

    static func percentDecode(_ s: String) -> String {
        guard s.contains("%") else { return s }
        return s.removingPercentEncoding ?? s
    }

    static func isForgeURL(_ url: String) -> Bool {
        let lower = url.lowercased()
        for host in ["://github.com/", "://gitlab.com/", "://bitbucket.org/", "://codeberg.org/", "://raw.githubusercontent.com/"]
            where lower.contains(host) {
            return true
        }
        return lower.contains("/blob/") || lower.contains("/tree/") || lower.contains("/-/blob/")
    }

    /// Same owner and repository on the same host, whatever the branch.
    static func sameRepository(_ a: String, _ b: String) -> Bool {
        let pa = a.split(separator: "/"), pb = b.split(separator: "/")
        guard pa.count >= 4, pb.count >= 4 else { return false }
        return pa[1].lowercased() == pb[1].lowercased() && pa[2].lowercased() == pb[2].lowercased()
            && pa[3].lowercased() == pb[3].lowercased()
    }

    static func exists(_ path: String?) -> Bool {
        guard let path else { return false }
        return FileManager.default.fileExists(atPath: path)
    }
}
