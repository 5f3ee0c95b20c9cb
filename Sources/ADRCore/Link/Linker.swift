import Dispatch
import Foundation

/// The link pass: runs once over the whole log. It gives every decision its id, resolves every
/// reference, records each relation's reverse on the other decision, decides who addresses which
/// follow-up, and reports what does not add up.
///
/// The work of each decision (its references, the targets of its links, the follow-ups it
/// addresses) runs on all cores, each decision writing only its own results; the passes over the
/// whole log (ids, order, backlinks, follow-ups, supersession, duplicate numbers) run in order and
/// are linear. Diagnostics come out in the same order whatever the number of cores.
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
        var linker = State(parsed: parsed, loaded: loaded, options: options)
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
        linker.decisions.withUnsafeBufferPointer { decisions in
            for i in decisions.indices { diagnostics += decisions[i].parsed.diagnostics }
        }
        diagnostics += linker.diagnostics
        diagnostics.sort()
        var log = DecisionLog(decisions: linker.decisions, diagnostics: diagnostics, assets: loaded.assets,
                              excluded: loaded.excluded, uniqueNumbers: linker.uniqueNumbers)
        log.root = loaded.root
        log.blockedAssets = blocked
        return log
    }

    struct State {
        /// The decisions, in the order of the log once `order()` has run.
        var decisions: [Decision] = []
        let loaded: LoadedDirectory
        let options: Options
        var diagnostics: [Diagnostic] = []

        var bySource: [String: Int] = [:]
        var bySourceLower: [String: Candidates] = [:]
        var byFileName: [String: Candidates] = [:]
        var byID: [String: Int] = [:]
        var byNumber: [Int: [Int]] = [:]
        var uniqueNumbers: [Int: String] = [:]
        var assets: Set<String>
        var assetsLower: [String: String] = [:]
        var realRoot: String

        /// The input, in the order of the file names, until `order()` makes the decisions of it.
        var parsed: [ParsedDecision]
        var sourceOrder: [Int] = []
        var sources: [String] = []
        var ids: [String] = []
        /// The names of each decision's file: by input index until `order()`, then in the order
        /// of `decisions`.
        var names: [Names]
        /// The folders the decisions are in (`dirs[folder[i]]` is the folder of decision `i`), and
        /// the same as bytes when they are plain enough for the fast path of `outcome`.
        var folder: [Int] = []
        var dirs: [String] = []
        var plainDirs: [[UInt8]?] = []
        /// The decision each relation of `links` and `mentions` points at, decision by decision.
        var linkIndices: [[Int]] = []
        var mentionIndices: [[Int]] = []
        /// What each decision says about follow-ups, found with its references.
        var followUpWork: [FollowUpWork] = []

        /// The decisions a key stands for; only a unique one counts.
        struct Candidates {
            var first: Int
            var count: Int
        }

        /// What the link pass derives from a file's path alone.
        struct Names: Sendable {
            var baseID: String
            var baseIDLower: String
            var idLower = ""
            var sourceLower: String
            var fileNameLower: String
            var parent: String
            /// `slug/README.md` or `slug/index.md`: the folder is the decision, too.
            var isFolderIndex: Bool
            var parentLower: String
            var statusCategory: StatusCategory

            init(source: String, statusCategory: StatusCategory) {
                baseID = Linker.baseID(source)
                baseIDLower = Linker.lowercased(baseID)
                sourceLower = Linker.lowercased(source)
                if Linker.isPrintableASCII(source) {
                    // lastComponent and parentPath, byte for byte.
                    let slash = Linker.lastSlash(source)
                    fileNameLower = Linker.lowercased(slash.map { String(source[source.utf8.index(after: $0)...]) } ?? source)
                    parent = slash.map { String(source[..<$0]) } ?? ""
                } else {
                    fileNameLower = lastComponent(source).lowercased()
                    parent = parentPath(source)
                }
                isFolderIndex = fileNameLower == "readme.md" || fileNameLower == "index.md"
                parentLower = isFolderIndex ? Linker.lowercased(parent) : ""
                self.statusCategory = statusCategory
            }
        }

        struct FollowUpWork: Sendable {
            var diagnostics: [Diagnostic] = []
            /// Follow-ups of other decisions that this one addresses: (decision, item index), in order.
            var addresses: [(decision: Int, item: Int)] = []
            /// Items of this decision's follow-ups that link to another decision: (item index, decision).
            var itemLinks: [(item: Int, decision: Int)] = []
        }

        init(parsed: [ParsedDecision], loaded: LoadedDirectory, options: Options) {
            self.loaded = loaded
            self.options = options
            self.assets = Set(loaded.assets)
            for a in loaded.assets { assetsLower[a.lowercased()] = a }
            self.realRoot = realPath(loaded.root) ?? loaded.root
            let sources = parsed.map { $0.source }
            self.parsed = parsed
            // (ParsedDecision.statusCategory, without copying the decision.)
            self.names = Linker.concurrentMap(sources.count) {
                Names(source: sources[$0], statusCategory: StatusRules.category(parsed[$0].status))
            }
            // By file name (the order ids are given in): the input sorted, as indices.
            var order = Array(sources.indices)
            order.sort { sources[$0] < sources[$1] }
            self.sourceOrder = order
            self.sources = sources
        }

        // MARK: Ids and order

        mutating func assignIDs() {
            var taken: [String: String] = [:]   // lowercased id -> source that has it
            taken.reserveCapacity(parsed.count + Linker.reservedIDs.count)
            for r in Linker.reservedIDs { taken[r] = "" }
            ids = Array(repeating: "", count: parsed.count)
            for i in sourceOrder {
                let base = names[i].baseID
                var id = base
                var lower = names[i].baseIDLower
                var n = 2
                while let holder = taken[lower] {
                    if n == 2 {
                        let why = holder.isEmpty ? "is a page of the site itself" : "is also the id of \(holder)"
                        diagnostics.append(.warning(parsed[i].source,
                                                    "page name \(base).html \(why); this decision's page is \(base)-2.html"))
                    }
                    id = "\(base)-\(n)"
                    lower = id.lowercased()
                    n += 1
                }
                taken[lower] = parsed[i].source
                ids[i] = id
                names[i].idLower = lower
            }
        }

        /// By number, then date, then name: `10000-x.md` after `9999-y.md`.
        mutating func order() {
            let numbers = parsed.map { $0.number }
            let dates = parsed.map { $0.date }
            let sources = self.sources
            // The decisions sorted by file name, sorted again.
            var permutation = sourceOrder
            permutation.sort { a, b in
                switch (numbers[a], numbers[b]) {
                case let (x?, y?) where x != y: return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                default: break
                }
                switch (dates[a], dates[b]) {
                case let (x?, y?) where x != y: return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                default: break
                }
                return sources[a] < sources[b]
            }
            // Copies of the parsed decisions (on all cores: it is mostly waiting for memory).
            do {
                let input = parsed, inputIDs = ids, inputNames = names, order = permutation
                decisions = Linker.concurrentMap(order.count) { position in
                    let k = order[position]
                    return Decision(id: inputIDs[k], url: inputIDs[k] + ".html", parsed: input[k], followUps: input[k].followUps,
                                    statusCategory: inputNames[k].statusCategory)
                }
            }
            Linker.permute(&names, permutation)
            parsed = []
            ids = []
            sourceOrder = []
            self.sources = []
        }

        mutating func buildIndexes() {
            let n = decisions.count
            let decisions = self.decisions, names = self.names
            let sourceIndex = Box<[String: Int]>([:]), sourceLowerIndex = Box<[String: Candidates]>([:])
            let fileNameIndex = Box<[String: Candidates]>([:]), idIndex = Box<[String: Int]>([:])
            let numberIndex = Box<[Int: [Int]]>([:]), unique = Box<[Int: String]>([:])
            let folders = Box<(folder: [Int], dirs: [String], plain: [[UInt8]?])>(([], [], []))
            // Each index on its own core, each built in the order of the log.
            Linker.inTasks(4) { task in
                switch task {
                case 0:
                    var index = [String: Int](minimumCapacity: n)
                    for i in 0..<n {
                        index[decisions[i].source] = i
                        // Folder-per-decision: the folder is the decision, too.
                        if names[i].isFolderIndex { index[names[i].parent] = i }
                    }
                    sourceIndex.value = index
                case 1:
                    var index = [String: Candidates](minimumCapacity: n)
                    for i in 0..<n {
                        index[names[i].sourceLower, default: Candidates(first: i, count: 0)].count += 1
                        if names[i].isFolderIndex { index[names[i].parentLower, default: Candidates(first: i, count: 0)].count += 1 }
                    }
                    sourceLowerIndex.value = index
                case 2:
                    var index = [String: Candidates](minimumCapacity: n)
                    for i in 0..<n { index[names[i].fileNameLower, default: Candidates(first: i, count: 0)].count += 1 }
                    fileNameIndex.value = index
                default:
                    var ids = [String: Int](minimumCapacity: n)
                    var numbers: [Int: [Int]] = [:]
                    for i in 0..<n {
                        ids[names[i].idLower] = i
                        if let number = decisions[i].number { numbers[number, default: []].append(i) }
                    }
                    var uniqueNumbers: [Int: String] = [:]
                    for (number, list) in numbers where list.count == 1 { uniqueNumbers[number] = decisions[list[0]].id }
                    // One folder per spelling, byte for byte (String equality is canonical equivalence).
                    var dirIndex: [String: Int] = [:]
                    var folder: [Int] = [], dirs: [String] = [], plain: [[UInt8]?] = []
                    folder.reserveCapacity(n)
                    for i in 0..<n {
                        let parent = names[i].parent
                        if let d = dirIndex[parent], dirs[d].utf8.elementsEqual(parent.utf8) {
                            folder.append(d)
                        } else {
                            if dirIndex[parent] == nil { dirIndex[parent] = dirs.count }
                            folder.append(dirs.count)
                            dirs.append(parent)
                            plain.append(Linker.isPlainFolder(parent) ? Array(parent.utf8) : nil)
                        }
                    }
                    idIndex.value = ids
                    numberIndex.value = numbers
                    unique.value = uniqueNumbers
                    folders.value = (folder, dirs, plain)
                }
            }
            bySource = sourceIndex.value
            bySourceLower = sourceLowerIndex.value
            byFileName = fileNameIndex.value
            byID = idIndex.value
            byNumber = numberIndex.value
            uniqueNumbers = unique.value
            (folder, dirs, plainDirs) = folders.value
        }

        // MARK: Resolving references

        /// Where a link destination leads. It depends only on the destination (byte for byte) and
        /// the folder of the file it is written in, not on the file: see `Scratch` for what is kept.
        /// The warnings of the last three cases are made where a reference is reported.
        enum Outcome {
            case decision(Int, fragment: String?)
            /// `#anchor` or `?x#anchor` alone: the decision the link is written in.
            case here(fragment: String)
            case asset(String, suffix: String)
            case nothing
            /// A relative path out of the ADR directory (`../../../../etc/passwd`), not to a
            /// Markdown file: nothing there is read or copied.
            case outside
            /// A decision whose path differs in case only.
            case caseDiffers(Int, fragment: String?)
            /// The only decision of that file name, at another path.
            case sameName(Int, fragment: String?)
            /// Nothing: a broken link unless `check` exists (nil: never exists).
            case broken(check: String?)
        }

        /// A destination as written (byte for byte) in a folder.
        struct DestinationKey: Hashable {
            var folder: Int
            var raw: String
            var hash: UInt64

            init(folder: Int, raw: String) {
                self.folder = folder
                self.raw = raw
                // FNV-1a of the bytes: cheap, and worked out once per key.
                var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(truncatingIfNeeded: folder)
                let done: Void? = raw.utf8.withContiguousStorageIfAvailable { bytes in
                    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
                }
                if done == nil { for b in raw.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 } }
                hash = h
            }

            static func == (a: DestinationKey, b: DestinationKey) -> Bool {
                a.hash == b.hash && a.folder == b.folder && Linker.sameBytes(a.raw, b.raw)
            }

            func hash(into hasher: inout Hasher) { hasher.combine(hash) }
        }

        /// What one worker keeps of what it worked out.
        struct Scratch {
            /// Destinations that take the general (slower) way, by folder.
            var outcomes: [DestinationKey: Outcome] = [:]
            /// The destinations of the decision at hand: its references and its links name the same.
            var recent: [(raw: String, outcome: Outcome)] = []
            var anchors: [Int: [String: String]] = [:]
        }

        /// What the link pass finds in one decision.
        struct Linked {
            var links: [Relation] = []
            var linkIndices: [Int] = []
            var mentions: [Relation] = []
            var mentionIndices: [Int] = []
            var linkTargets: [Int32: LinkTarget] = [:]
            var diagnostics: [Diagnostic] = []
            var followUps = FollowUpWork()
        }

        /// Where `raw`, written in folder `f`, leads. `scratch.recent` must be of that folder.
        func outcome(_ raw: String, folder f: Int, scratch: inout Scratch) -> Outcome {
            for entry in scratch.recent where Linker.sameBytes(entry.raw, raw) { return entry.outcome }
            var found: Outcome?
            if let base = plainDirs[f] {
                found = raw.utf8.withContiguousStorageIfAvailable { bytes in
                    base.withUnsafeBufferPointer { plainOutcome(bytes, base: $0, folder: f) }
                } ?? nil
            }
            if found == nil {
                let key = DestinationKey(folder: f, raw: raw)
                if let known = scratch.outcomes[key] {
                    found = known
                } else {
                    let result = generalOutcome(raw, base: dirs[f])
                    scratch.outcomes[key] = result
                    found = result
                }
            }
            if scratch.recent.count < 64 { scratch.recent.append((raw, found!)) }
            return found!
        }

        /// `outcome` for what most links are: a relative path of printable ASCII without `%` or
        /// `:`, written in a folder of the same. Byte for byte what `generalOutcome` does for them;
        /// nil for anything else.
        func plainOutcome(_ b: UnsafeBufferPointer<UInt8>, base: UnsafeBufferPointer<UInt8>, folder f: Int) -> Outcome? {
            let hashSign = UInt8(ascii: "#"), question = UInt8(ascii: "?"), slash = UInt8(ascii: "/")
            for c in b where c > 0x7E || (c < 0x20 && c != 0x09) || c == UInt8(ascii: "%") || c == UInt8(ascii: ":") {
                return nil
            }
            var lo = 0, hi = b.count
            while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09) { lo += 1 }
            while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09) { hi -= 1 }
            var end = hi
            var fragment: String?
            if let hash = (lo..<hi).first(where: { b[$0] == hashSign }) {
                fragment = String(decoding: UnsafeBufferPointer(rebasing: b[(hash + 1)..<hi]), as: UTF8.self)
                end = hash
            }
            if let q = (lo..<end).first(where: { b[$0] == question }) { end = q }
            if lo == end {
                if let fragment { return .here(fragment: fragment) }
                return .nothing
            }
            let path = UnsafeBufferPointer(rebasing: b[lo..<end])
            if path[0] == slash { return nil }
            let isMarkdown = Linker.hasSuffixIgnoringASCIICase(path, ".md") || Linker.hasSuffixIgnoringASCIICase(path, ".markdown")

            // Linker.normalize(joinPath(base, path)): `.` and `..` resolved, empty parts dropped.
            let normalized: String
            if Linker.isSimplePath(path) && Linker.isSimplePath(base) {
                let tail = String(decoding: path, as: UTF8.self)
                normalized = base.isEmpty ? tail : dirs[f] + "/" + tail
            } else if let joined = Linker.normalizedJoin(base, path) {
                normalized = joined
            } else {
                // Leaving the ADR directory (and maybe coming back in) is for the general case.
                return nil
            }
            if let i = bySource[normalized] { return .decision(i, fragment: fragment) }
            let lower = normalized.lowercased()
            if let candidates = bySourceLower[lower], candidates.count == 1 {
                return .caseDiffers(candidates.first, fragment: fragment)
            }
            if assets.contains(normalized) || assetsLower[lower] != nil {
                let suffix = String(decoding: UnsafeBufferPointer(rebasing: b[end..<hi]), as: UTF8.self)
                if assets.contains(normalized) { return .asset(normalized, suffix: suffix) }
                if let actual = assetsLower[lower] { return .asset(actual, suffix: suffix) }
            }
            guard isMarkdown else { return .nothing }
            // A wrong path to a file that exists in the log under the same name.
            let nameStart = (path.lastIndex(of: slash) ?? -1) + 1
            let name = String(decoding: UnsafeBufferPointer(rebasing: path[nameStart...]), as: UTF8.self).lowercased()
            if let candidates = byFileName[name], candidates.count == 1 {
                return .sameName(candidates.first, fragment: fragment)
            }
            return .broken(check: joinPath(joinPath(loaded.root, dirs[f]), String(decoding: path, as: UTF8.self)))
        }

        /// Resolves a link destination written in the folder `base`.
        func generalOutcome(_ raw: String, base: String) -> Outcome {
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
                if let fragment { return .here(fragment: fragment) }
                return .nothing
            }
            let path = Linker.percentDecode(String(url))
            let lowerPath = path.lowercased()
            let isMarkdown = lowerPath.hasSuffix(".md") || lowerPath.hasSuffix(".markdown")

            if let colon = path.firstIndex(of: ":"), !path[..<colon].contains("/") {
                // An absolute address: only web addresses of this log's files count.
                let scheme = path[..<colon].lowercased()
                guard scheme == "http" || scheme == "https", isMarkdown else { return .nothing }
                if let repo = options.repositoryURL, !raw.hasPrefix(repo), !Linker.sameRepository(raw, repo) { return .nothing }
                guard Linker.isForgeURL(path) || options.repositoryURL != nil else { return .nothing }
                let components = path.split(separator: "/").map(String.init)
                // Longest suffix of the address that is a path in the log.
                for k in stride(from: min(components.count, 6), through: 1, by: -1) {
                    let candidate = components.suffix(k).joined(separator: "/")
                    if let i = bySource[candidate] { return .decision(i, fragment: fragment) }
                }
                return .nothing
            }

            var normalized: String?
            var leaves = false
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
                    } else {
                        leaves = true
                    }
                }
            }
            if let p = normalized {
                let trimmed = p.hasSuffix("/") ? String(p.dropLast()) : p
                if let i = bySource[trimmed] { return .decision(i, fragment: fragment) }
                if let candidates = bySourceLower[trimmed.lowercased()], candidates.count == 1 {
                    return .caseDiffers(candidates.first, fragment: fragment)
                }
                if assets.contains(trimmed) { return .asset(trimmed, suffix: suffix) }
                if let actual = assetsLower[trimmed.lowercased()] { return .asset(actual, suffix: suffix) }
            }
            guard isMarkdown else { return leaves ? .outside : .nothing }
            // A wrong path to a file that exists in the log under the same name.
            let name = lastComponent(path).lowercased()
            if let candidates = byFileName[name], candidates.count == 1 {
                return .sameName(candidates.first, fragment: fragment)
            }
            return .broken(check: path.hasPrefix("/") ? nil : joinPath(joinPath(loaded.root, base), path))
        }

        /// The decision (and fragment) an outcome leads to, for a link written in decision `i`.
        func decision(_ outcome: Outcome, from i: Int) -> (Int, String?)? {
            switch outcome {
            case .decision(let t, let fragment), .caseDiffers(let t, let fragment), .sameName(let t, let fragment):
                return (t, fragment)
            case .here(let fragment):
                return (i, fragment)
            case .asset, .nothing, .outside, .broken:
                return nil
            }
        }

        /// The warning a reference to `raw` gets, if any.
        func report(_ outcome: Outcome, raw: String, from i: Int, line: Int, column: Int, into out: inout [Diagnostic]) {
            switch outcome {
            case .caseDiffers(let t, _):
                out.append(.warning(decisions[i].source, line: line, column: column,
                                    "link to \(raw) differs in case from \(decisions[t].source); it works on case-insensitive file systems only"))
            case .sameName(let t, _):
                out.append(.warning(decisions[i].source, line: line, column: column,
                                    "link to \(raw) does not resolve; it was taken to mean \(decisions[t].source), the only decision of that name"))
            case .broken(let check):
                if !Linker.exists(check) {
                    out.append(.warning(decisions[i].source, line: line, column: column, "broken link: \(raw) does not exist"))
                }
            case .decision, .here, .asset, .nothing, .outside:
                break
            }
        }

        func resolve(_ target: ReferenceTarget, from: Int, line: Int, column: Int, typed: Bool,
                     scratch: inout Scratch, into out: inout [Diagnostic]) -> Int? {
            switch target {
            case .url(let url):
                let found = outcome(url, folder: folder[from], scratch: &scratch)
                report(found, raw: url, from: from, line: line, column: column, into: &out)
                return decision(found, from: from)?.0
            case .number(let n):
                guard let list = byNumber[n] else {
                    if typed {
                        out.append(.warning(decisions[from].source, line: line, column: column,
                                            "no decision has number \(n)"))
                    }
                    return nil
                }
                if list.count > 1 {
                    let sources = list.map { decisions[$0].source }.joined(separator: ", ")
                    out.append(.warning(decisions[from].source, line: line, column: column,
                                        "ADR \(n) is ambiguous: \(sources) have that number; link to the file instead"))
                    return nil
                }
                return list[0]
            case .name(let name):
                let lower = name.lowercased()
                if let i = byID[lower] { return i }
                if let list = byFileName[lower + ".md"], list.count == 1 { return list.first }
                if let i = names.firstIndex(where: { $0.baseIDLower.hasSuffix(lower) }) { return i }
                out.append(.warning(decisions[from].source, line: line, column: column,
                                    "no decision is named \(name)"))
                return nil
            }
        }

        /// The anchors of a decision's page that authors link to: headings, follow-ups and ids
        /// in raw HTML, by lowercased name.
        func anchors(of t: Int) -> [String: String] {
            var anchors: [String: String] = [:]
            let parsed = decisions[t].parsed
            for s in parsed.sections { anchors[s.anchor.lowercased()] = s.anchor }
            for f in parsed.followUps { anchors[f.anchor] = f.anchor }
            anchors["follow-ups"] = "follow-ups"
            for node in parsed.document.nodes where node.kind == .htmlInline || node.kind == .htmlBlock {
                for id in HTMLLinks.ids(in: node.literal) { anchors[id.lowercased()] = id }
            }
            return anchors
        }

        func anchor(_ fragment: String, of t: Int, scratch: inout Scratch) -> String? {
            if scratch.anchors[t] == nil { scratch.anchors[t] = anchors(of: t) }
            let decoded = fragment.removingPercentEncoding ?? fragment
            return scratch.anchors[t]?[decoded.lowercased()]
        }

        /// A set that is a short array while it is small (most decisions relate to a few others).
        struct SmallSet<T: Hashable> {
            var items: [T] = []
            var large: Set<T>?

            func contains(_ x: T) -> Bool { large?.contains(x) ?? items.contains(x) }

            /// True if it was not there yet.
            @discardableResult
            mutating func insert(_ x: T) -> Bool {
                if large != nil { return large!.insert(x).inserted }
                if items.contains(x) { return false }
                items.append(x)
                if items.count > 16 { large = Set(items) }
                return true
            }
        }

        /// A relation type and the decision it points at.
        struct Pair: Hashable {
            var type: RelationType
            var target: Int
        }

        /// Everything the link pass works out for decision `i` on its own.
        func link(_ i: Int, scratch: inout Scratch) -> Linked {
            var result = Linked()
            scratch.recent.removeAll(keepingCapacity: true)
            let source = decisions[i].source
            var links: [Relation] = [], linkIndices: [Int] = []
            var mentions: [Relation] = [], mentionIndices: [Int] = []
            for ref in decisions[i].parsed.references {
                guard let t = resolve(ref.target, from: i, line: ref.line, column: ref.column, typed: ref.type.isTyped,
                                      scratch: &scratch, into: &result.diagnostics) else {
                    continue
                }
                if t == i {
                    if ref.type.isTyped {
                        result.diagnostics.append(.warning(source, line: ref.line, column: ref.column,
                                                           "says it \(ref.type.phrase) itself; ignored"))
                    }
                    continue
                }
                let relation = Relation(type: ref.type, target: decisions[t].id, line: ref.line)
                if ref.type == .mentions {
                    mentions.append(relation)
                    mentionIndices.append(t)
                } else {
                    links.append(relation)
                    linkIndices.append(t)
                }
            }
            // One entry per target and type; a plain link adds nothing to a typed relation.
            // (Ids are unique, so decisions stand for their ids here.)
            var typedTargets = SmallSet<Int>()
            for k in links.indices where links[k].type.isTyped { typedTargets.insert(linkIndices[k]) }
            var seen = SmallSet<Pair>()
            for k in links.indices {
                let r = links[k], t = linkIndices[k]
                if r.type == .linksTo && typedTargets.contains(t) { continue }
                if seen.insert(Pair(type: r.type, target: t)) {
                    result.links.append(r)
                    result.linkIndices.append(t)
                }
            }
            for t in result.linkIndices { typedTargets.insert(t) }
            var seenMentions = SmallSet<Int>()
            for k in mentions.indices {
                let t = mentionIndices[k]
                if !typedTargets.contains(t) && seenMentions.insert(t) {
                    result.mentions.append(mentions[k])
                    result.mentionIndices.append(t)
                }
            }

            // Where each link and image of the body goes, for rendering.
            let nodes = decisions[i].parsed.document.nodes
            var toDecisions: [(node: Int32, decision: Int, fragment: String?)] = []
            for n in nodes.indices {
                let kind = nodes[n].kind
                guard kind == .link || kind == .image else { continue }
                let url = nodes[n].url
                let found = outcome(url, folder: folder[i], scratch: &scratch)
                switch found {
                case .asset(let path, let suffix):
                    result.linkTargets[Int32(n)] = .asset(path: path, suffix: suffix)
                case .nothing, .outside, .broken:
                    if kind == .image, !url.isEmpty, !url.contains(":"), !url.hasPrefix("/") {
                        let problem = if case .outside = found { "is outside the ADR directory; it is not copied" }
                            else { "does not exist" }
                        result.diagnostics.append(.warning(source, line: Int(nodes[n].line), column: Int(nodes[n].column),
                                                           "image \(url) \(problem)"))
                    }
                case .decision, .here, .caseDiffers, .sameName:
                    guard let target = decision(found, from: i) else { continue }
                    let t = target.0
                    var fragment = target.1
                    if let f = fragment, !f.isEmpty {
                        // GitHub matches anchors whatever their case; a page's ids have one case.
                        if let actual = anchor(f, of: t, scratch: &scratch) {
                            fragment = actual
                        } else {
                            let target = t == i ? "this decision" : decisions[t].source
                            result.diagnostics.append(.warning(source, line: Int(nodes[n].line), column: Int(nodes[n].column),
                                                               "link to #\(f): \(target) has no heading with that anchor"))
                        }
                    }
                    result.linkTargets[Int32(n)] = .decision(id: decisions[t].id, fragment: fragment)
                    toDecisions.append((Int32(n), t, fragment))
                }
            }

            // Follow-ups this decision addresses: "addresses follow-up 2 of ADR-7", `addresses: 0007#2`.
            func address(_ t: Int, _ number: Int, line: Int, column: Int) {
                let count = decisions[t].followUps.count
                guard number >= 1 && number <= count else {
                    result.followUps.diagnostics.append(.warning(source, line: line, column: column,
                                                                 "follow-up \(number) of \(decisions[t].source) does not exist (it has \(count == 0 ? "no" : String(count)) follow-up\(count == 1 ? "" : "s"))"))
                    return
                }
                result.followUps.addresses.append((t, number - 1))
            }
            for ref in decisions[i].parsed.followUpReferences {
                guard let t = resolve(ref.target, from: i, line: ref.line, column: ref.column, typed: true,
                                      scratch: &scratch, into: &result.followUps.diagnostics) else { continue }
                guard t != i else { continue }
                address(t, ref.number, line: ref.line, column: ref.column)
            }
            // Links to `0001-x.md#follow-up-2`, in the order of the nodes.
            for (node, t, fragment) in toDecisions {
                guard let fragment, fragment.hasPrefix("follow-up-"), let number = Int(fragment.dropFirst(10)), t != i else {
                    continue
                }
                address(t, number, line: Int(nodes[Int(node)].line), column: Int(nodes[Int(node)].column))
            }
            // An item that links to a later decision is addressed by it.
            let followUps = decisions[i].followUps
            if followUps.contains(where: { !$0.linkNodes.isEmpty }) {
                var target: [Int32: Int] = [:]
                for (node, t, _) in toDecisions { target[node] = t }
                for f in followUps.indices {
                    for node in followUps[f].linkNodes {
                        guard let t = target[node], t != i else { continue }
                        result.followUps.itemLinks.append((f, t))
                    }
                }
            }
            return result
        }

        /// `link(_:scratch:)` for every decision, on all cores.
        func linkAll() -> [Linked] {
            let count = decisions.count
            let slots = Slots<Linked>(count)
            Linker.inChunks(count) { range in
                var scratch = Scratch()
                for i in range { slots.set(i, link(i, scratch: &scratch)) }
            }
            return slots.take()
        }

        mutating func resolveReferences() {
            var results = linkAll()
            linkIndices.reserveCapacity(results.count)
            mentionIndices.reserveCapacity(results.count)
            followUpWork.reserveCapacity(results.count)
            // Moved, not copied.
            for i in results.indices {
                swap(&decisions[i].links, &results[i].links)
                swap(&decisions[i].mentions, &results[i].mentions)
                swap(&decisions[i].linkTargets, &results[i].linkTargets)
                diagnostics += results[i].diagnostics
                linkIndices.append([])
                swap(&linkIndices[i], &results[i].linkIndices)
                mentionIndices.append([])
                swap(&mentionIndices[i], &results[i].mentionIndices)
                followUpWork.append(FollowUpWork())
                swap(&followUpWork[i], &results[i].followUps)
            }
        }

        mutating func addBacklinks() {
            // A decision's links hold each (type, target) once, its mentions each target once
            // and none of the targets of its links, and backlinks start empty: no backlink is
            // added twice.
            for i in decisions.indices {
                let source = decisions[i].id
                let links = decisions[i].links
                for k in links.indices {
                    decisions[linkIndices[i][k]].backlinks.append(Backlink(type: links[k].type, source: source))
                }
                let mentions = decisions[i].mentions
                for k in mentions.indices {
                    decisions[mentionIndices[i][k]].backlinks.append(Backlink(type: mentions[k].type, source: source))
                }
            }
        }

        // MARK: Follow-ups

        mutating func resolveFollowUps() {
            for i in decisions.indices { diagnostics += followUpWork[i].diagnostics }
            // Who addresses each item, in the order they were found: first by reference or
            // link (decision by decision), then the items' own links.
            var found: [[[Int]]] = Array(repeating: [], count: decisions.count)
            func add(_ t: Int, _ item: Int, _ by: Int) {
                if found[t].isEmpty { found[t] = Array(repeating: [], count: decisions[t].followUps.count) }
                found[t][item].append(by)
            }
            for i in decisions.indices {
                for (t, item) in followUpWork[i].addresses { add(t, item, i) }
            }
            for t in decisions.indices {
                for (item, by) in followUpWork[t].itemLinks { add(t, item, by) }
            }
            var index: [String: Int]?
            for t in decisions.indices {
                for f in decisions[t].followUps.indices {
                    let by = found[t].isEmpty ? [] : found[t][f]
                    if decisions[t].followUps[f].addressedBy.isEmpty {
                        // Unique, in the order of the log.
                        guard !by.isEmpty else { continue }
                        let ordered = by.count == 1 ? by : Array(Set(by)).sorted()
                        decisions[t].followUps[f].addressedBy = ordered.map { decisions[$0].id }
                    } else {
                        // Filled before the link pass (not by the parser): as it always was.
                        if index == nil {
                            var built: [String: Int] = [:]
                            for (i, d) in decisions.enumerated() { built[d.id] = i }
                            index = built
                        }
                        let index = index!
                        for u in by where !decisions[t].followUps[f].addressedBy.contains(decisions[u].id) {
                            decisions[t].followUps[f].addressedBy.append(decisions[u].id)
                        }
                        decisions[t].followUps[f].addressedBy.sort { (index[$0] ?? 0) < (index[$1] ?? 0) }
                    }
                }
            }
        }

        // MARK: Consistency

        mutating func checkSupersession() {
            let count = decisions.count
            // successor edges: older -> newer
            var successors: [[Int]] = Array(repeating: [], count: count)
            // Who says they supersede whom, and who says they are superseded by whom.
            var supersedes = Set<Edge>(), supersededBy = Set<Edge>()
            var stated = 0
            for i in decisions.indices {
                for r in decisions[i].links where r.type == .supersedes || r.type == .supersededBy { stated += 1 }
            }
            supersedes.reserveCapacity(stated)
            supersededBy.reserveCapacity(stated)
            for i in decisions.indices {
                let links = decisions[i].links
                for k in links.indices {
                    if links[k].type == .supersedes { supersedes.insert(Edge(from: i, to: linkIndices[i][k])) }
                    if links[k].type == .supersededBy { supersededBy.insert(Edge(from: i, to: linkIndices[i][k])) }
                }
            }
            for i in decisions.indices {
                let links = decisions[i].links
                for k in links.indices {
                    let r = links[k], t = linkIndices[i][k]
                    switch r.type {
                    case .supersededBy:
                        successors[i].append(t)
                        if !supersedes.contains(Edge(from: t, to: i)) {
                            diagnostics.append(.warning(decisions[i].source, line: r.line, column: 1,
                                                        "says it is superseded by \(decisions[t].source), which does not say it supersedes this decision"))
                        }
                    case .supersedes:
                        successors[t].append(i)
                        let category = decisions[t].statusCategory
                        if !supersededBy.contains(Edge(from: t, to: i)) && category != .superseded && category != .deprecated
                            && category != .rejected {
                            diagnostics.append(.warning(decisions[t].source, line: 1, column: 1,
                                                        "is superseded by \(decisions[i].source) (it says so), but its own status is \(decisions[t].status.map { "'\($0)'" } ?? "missing")"))
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
            let next = successors.map { $0.count < 2 ? $0 : Array(Set($0)).sorted() }
            var state = [UInt8](repeating: 0, count: count)   // 0 new, 1 on stack, 2 done
            var reported = Set<Int>()
            var stack: [(Int, Int)] = []
            var path: [Int] = []
            for start in decisions.indices where state[start] == 0 {
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

        struct Edge: Hashable {
            var from: Int
            var to: Int
        }

        /// Attachments the decisions link to that could run scripts on the site (AssetPolicy),
        /// unless allowed, and those at a path the site writes itself (GeneratedPaths), always:
        /// left out, each with a warning.
        mutating func checkAttachments() -> Set<String> {
            var referenced = Set<String>()
            for i in decisions.indices {
                for target in decisions[i].linkTargets.values {
                    if case .asset(let path, _) = target { referenced.insert(path) }
                }
            }
            var blocked = Set<String>()
            let ids = Set(decisions.map(\.id))
            for path in referenced.sorted() {
                if let problem = GeneratedPaths.problem(path, decisionIDs: ids) {
                    blocked.insert(path)
                    diagnostics.append(.warning(path, "not copied into the site: \(problem); links to it are written as text"))
                    continue
                }
                if options.allowActiveAttachments { continue }
                if let problem = AssetPolicy.problem(path, root: loaded.root) {
                    blocked.insert(path)
                    diagnostics.append(.warning(path, "not copied into the site: \(problem); links to it are written as text (--unsafe-html copies it)"))
                }
            }
            return blocked
        }

        mutating func checkDuplicateNumbers() {
            for (n, list) in byNumber.filter({ $0.value.count > 1 }).sorted(by: { $0.key < $1.key }) {
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
        if let id = source.utf8.withContiguousStorageIfAvailable({ plainBaseID($0) }) ?? nil { return id }
        var parts = source.split(separator: "/").map(String.init)
        if let last = parts.last {
            let stem = stripExtension(last)
            if ["readme", "index", "_index"].contains(stem.lowercased()) && parts.count > 1 {
                parts.removeLast()
            } else {
                parts[parts.count - 1] = stem
            }
        }
        return parts.map(idPart).joined(separator: "/")
    }

    /// `baseID` of a path of printable ASCII, byte for byte; nil for other paths.
    static func plainBaseID(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        guard b.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else { return nil }
        var parts: [Range<Int>] = []
        var i = 0
        while i < b.count {
            var j = i
            while j < b.count && b[j] != UInt8(ascii: "/") { j += 1 }
            if j > i { parts.append(i..<j) }
            i = j + 1
        }
        if let last = parts.last {
            // stripExtension
            let name = UnsafeBufferPointer(rebasing: b[last])
            var stem = last
            if hasSuffixIgnoringASCIICase(name, ".markdown") {
                stem = last.lowerBound..<(last.upperBound - 9)
            } else if hasSuffixIgnoringASCIICase(name, ".md") {
                stem = last.lowerBound..<(last.upperBound - 3)
            }
            let lower = String(decoding: UnsafeBufferPointer(rebasing: b[stem]), as: UTF8.self).lowercased()
            if (lower == "readme" || lower == "index" || lower == "_index") && parts.count > 1 {
                parts.removeLast()
            } else {
                parts[parts.count - 1] = stem
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        for (k, range) in parts.enumerated() {
            if k > 0 { out.append(UInt8(ascii: "/")) }
            let part = UnsafeBufferPointer(rebasing: b[range])
            if isPlainIDPart(part) {
                out.append(contentsOf: part)
            } else {
                out.append(contentsOf: idPart(String(decoding: part, as: UTF8.self)).utf8)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A part of a path that is an id part as it is: letters, digits, `-`, `_`, `.`, neither `-`
    /// nor `.` at the ends, no `--`.
    static func isPlainIDPart<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, first != UInt8(ascii: "-"), first != UInt8(ascii: ".") else { return false }
        var previous: UInt8 = 0
        for b in bytes {
            guard (b >= 48 && b <= 57) || (b | 0x20 >= 97 && b | 0x20 <= 122) || b == 95 || b == 46 || b == 45 else { return false }
            if b == 45 && previous == 45 { return false }
            previous = b
        }
        return previous != UInt8(ascii: "-") && previous != UInt8(ascii: ".")
    }

    /// One part of a path, reduced to letters, digits, `-`, `_` and `.`.
    static func idPart(_ part: String) -> String {
        // Most names are plain already: letters, digits, `-`, `_`, `.`, not at the ends.
        if isPlainIDPart(part.utf8) { return part }
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

    /// A relative path with no empty, `.` or `..` part: normalized as it is.
    static func isSimplePath(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        guard let first = b.first else { return true }
        guard first != slash, b[b.count - 1] != slash else { return false }
        var start = 0
        for i in 0...b.count where i == b.count || b[i] == slash {
            let length = i - start
            if length == 0 || (b[start] == dot && (length == 1 || (length == 2 && b[start + 1] == dot))) { return false }
            start = i + 1
        }
        return true
    }

    /// `normalize(joinPath(base, path))` of bytes: `.` and `..` resolved, empty parts dropped;
    /// nil if it leaves the top.
    static func normalizedJoin(_ base: UnsafeBufferPointer<UInt8>, _ path: UnsafeBufferPointer<UInt8>) -> String? {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var out: [UInt8] = []
        out.reserveCapacity(base.count + path.count + 1)
        var starts: [Int] = []
        func add(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
            var i = 0
            while i < s.count {
                var j = i
                while j < s.count && s[j] != slash { j += 1 }
                let length = j - i
                if length == 1 && s[i] == dot {
                    // `.`
                } else if length == 2 && s[i] == dot && s[i + 1] == dot {
                    guard let start = starts.popLast() else { return false }
                    out.removeSubrange(start...)
                } else if length > 0 {
                    starts.append(out.count)
                    if !out.isEmpty { out.append(slash) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: s[i..<j]))
                }
                i = j + 1
            }
            return true
        }
        guard add(base), add(path) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// The same bytes (String's `==` is canonical equivalence).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        let result = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                x.count == 0 || x.baseAddress == y.baseAddress || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
            }
        }
        if let known = result ?? nil { return known }
        return a.utf8.elementsEqual(b.utf8)
    }

    /// `s.utf8.lastIndex(of: "/")`.
    static func lastSlash(_ s: String) -> String.Index? {
        let offset = s.utf8.withContiguousStorageIfAvailable { b -> Int? in
            var i = b.count
            while i > 0 {
                i -= 1
                if b[i] == UInt8(ascii: "/") { return i }
            }
            return nil
        }
        guard let offset else { return s.utf8.lastIndex(of: UInt8(ascii: "/")) }
        return offset.map { s.utf8.index(s.utf8.startIndex, offsetBy: $0) }
    }

    static func isPrintableASCII(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 >= 0x20 && $0 <= 0x7E } }
            ?? s.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    /// `s.lowercased()`, without a copy when there is nothing to lower.
    static func lowercased(_ s: String) -> String {
        let nothingToLower = s.utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 < 0x80 && !($0 >= 65 && $0 <= 90) } }
            ?? s.utf8.allSatisfy { $0 < 0x80 && !($0 >= 65 && $0 <= 90) }
        return nothingToLower ? s : s.lowercased()
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

    /// A folder the fast path of link resolution can take as bytes: printable ASCII, relative.
    static func isPlainFolder(_ path: String) -> Bool {
        path.utf8.first != UInt8(ascii: "/") && path.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    static func hasSuffixIgnoringASCIICase(_ b: UnsafeBufferPointer<UInt8>, _ suffix: StaticString) -> Bool {
        let n = suffix.utf8CodeUnitCount
        guard b.count >= n else { return false }
        let s = suffix.utf8Start
        for k in 0..<n {
            var c = b[b.count - n + k]
            if c >= 65 && c <= 90 { c |= 0x20 }
            if c != s[k] { return false }
        }
        return true
    }

    /// Reorders `items` so that `items[k]` becomes the old `items[permutation[k]]`, moving
    /// elements rather than copying them.
    static func permute<T>(_ items: inout [T], _ permutation: [Int]) {
        var done = [Bool](repeating: false, count: items.count)
        items.withUnsafeMutableBufferPointer { items in
            for start in items.indices where !done[start] {
                var k = start
                while true {
                    done[k] = true
                    let next = permutation[k]
                    if next == start { break }
                    items.swapAt(k, next)
                    k = next
                }
            }
        }
    }

    /// Runs `count` different pieces of work, on all cores.
    static func inTasks(_ count: Int, _ work: @Sendable (Int) -> Void) {
        if ProcessInfo.processInfo.activeProcessorCount <= 1 {
            for task in 0..<count { work(task) }
        } else {
            DispatchQueue.concurrentPerform(iterations: count, execute: work)
        }
    }

    /// Runs `work` over `0..<count` in contiguous ranges, on all cores.
    static func inChunks(_ count: Int, _ work: @Sendable (Range<Int>) -> Void) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let chunks = cores <= 1 ? 1 : min(cores * 4, count / 32)
        guard chunks > 1 else {
            work(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            work((c * count / chunks)..<((c + 1) * count / chunks))
        }
    }

    static func concurrentMap<T>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        let slots = Slots<T>(count)
        inChunks(count) { range in
            for i in range { slots.set(i, transform(i)) }
        }
        return slots.take()
    }
}

/// A value written by one piece of concurrent work, read after all of it finished.
private final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// One slot per index, each written once from concurrent work, read after all of it finished.
/// Every slot must be written before `take()`.
private final class Slots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T>
    private let count: Int
    private var taken = false

    init(_ count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
    }

    deinit {
        if !taken { base.deinitialize(count: count) }
        base.deallocate()
    }

    func set(_ i: Int, _ value: T) { (base + i).initialize(to: value) }

    /// The values, moved out.
    func take() -> [T] {
        taken = true
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.moveInitialize(from: base, count: count) }
            initialized = count
        }
    }
}
