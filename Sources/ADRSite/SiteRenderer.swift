import ADRCore
import Foundation

/// Settings of a site build that do not come from the ADR files.
public struct SiteOptions: Sendable {
    /// Site title; default: the H1 of the log's README.md, else "Architecture Decision Records".
    public var title: String?
    /// Keep raw HTML of the ADRs (cmark's unsafe mode). Off by default.
    public var unsafeHTML = false
    /// Web address of the ADR directory in its repository, for "edit source" links.
    public var repositoryURL: String?
    /// Absolute address the site is published at, for the feed and the sitemap only.
    public var baseURL: String?
    /// The pages' language (`<html lang>`, a BCP 47 tag such as `fr`); default: the language the
    /// decisions' front matter states (`lang:`), else `en`.
    public var language: String?
    /// Trusted HTML added at the end of every page's `<head>` (the preview server's reload script).
    public var extraHead: String?

    public init() {}
}

/// The render stage: the linked log and the theme in, the files of the site out, in memory.
/// Nothing here touches the disk (assets to copy are named, and `SiteWriter` copies them).
public enum SiteRenderer {
    /// `pages`: the ids of the decisions whose page and badge to render; nil renders all. The
    /// pages about the whole log (index, follow-ups, feed, JSON) are always rendered.
    public static func render(_ log: DecisionLog, theme: Theme, options: SiteOptions, siteTitle: String,
                              pages only: Set<String>? = nil, cache: RenderCache? = nil) throws -> [OutputFile] {
        let collected = Collector()
        // The collector never throws: what is thrown is a template error (a limit of the renderer).
        try render(log, theme: theme, options: options, siteTitle: siteTitle, pages: only, cache: cache) {
            collected.add($0)
        }
        return collected.files.sorted { $0.path < $1.path }
    }

    /// Renders the site and hands each file to `sink` as soon as it is made (from several
    /// threads at once), so a large site is written while it is rendered, not held in memory.
    /// The first error `sink` throws stops the rendering and is thrown.
    public static func render(_ log: DecisionLog, theme: Theme, options: SiteOptions, siteTitle: String,
                              pages only: Set<String>? = nil, cache: RenderCache? = nil,
                              sink: @escaping @Sendable (OutputFile) throws -> Void) throws {
        // The link stage named the attachments left out (with --unsafe-html, only those at a
        // path the site writes itself).
        let blocked = log.blockedAssets
        let context = Context(log: log, theme: theme, options: options, siteTitle: siteTitle, blockedAssets: blocked)
        let chosen = only.map { ids in log.decisions.indices.filter { ids.contains(log.decisions[$0].id) } }
            ?? Array(log.decisions.indices)
        let failure = FirstError()
        let fragments = Fragments.make(log, context: context, chosen: chosen, cache: cache)

        // Decision pages with their badges, and the pages about the whole log as pieces of work
        // of their own (each is large: the index and decisions.json of a big log take as long as
        // many decision pages); all of them in parallel, each independent of the others.
        let shared = sharedFiles(log, context: context, theme: theme, options: options, blocked: blocked,
                                 fragments: fragments)
        let pageCount = chosen.count
        DispatchQueue.concurrentPerform(iterations: shared.count + pageCount) { k in
            guard !failure.isSet else { return }
            do {
                // The pages about the whole log first: they are the longest pieces, and started
                // last they kept one core busy after the other had finished.
                if k < shared.count {
                    for file in try shared[k]() { try sink(file) }
                } else {
                    let i = chosen[k - shared.count]
                    try sink(try context.decisionPage(i))
                    let d = log.decisions[i]
                    try sink(OutputFile(path: "badges/\(d.id).svg", bytes: try context.badge(d)))
                }
            } catch {
                failure.set(error)
            }
        }
        if let error = failure.error { throw error }
    }

    /// The files about the whole log, the theme's files and the copied attachments, as
    /// separate pieces of work.
    private static func sharedFiles(_ log: DecisionLog, context: Context, theme: Theme, options: SiteOptions,
                                    blocked: Set<String>, fragments: Fragments) -> [@Sendable () throws -> [OutputFile]] {
        var work: [@Sendable () throws -> [OutputFile]] = [
            { [OutputFile(path: "decisions.json", bytes: DecisionsJSON.render(log, objects: fragments.takeJSON()))] },
            { [OutputFile(path: "index.html", bytes: try context.indexPage())] },
            {
                let search = searchFiles(context)
                return [OutputFile(path: "search.json", bytes: search.json),
                        OutputFile(path: "assets/search-index.js", bytes: search.script)]
            },
            { [OutputFile(path: "follow-ups.html", bytes: try context.followUpsPage())] },
            {
                var files = [OutputFile(path: "404.html", bytes: try context.notFoundPage()),
                             OutputFile(path: "feed.xml", bytes: try context.feed())]
                if options.baseURL != nil { files.append(OutputFile(path: "sitemap.xml", bytes: try context.sitemap())) }
                files.append(OutputFile(path: "assets/style.css", text: theme.text("style.css")))
                files.append(OutputFile(path: "assets/site.js", text: theme.text("site.js")))
                files.append(OutputFile(path: "assets/search.js", text: theme.text("search.js")))
                if log.decisions.contains(where: { $0.parsed.body.diagrams > 0 }) {
                    // Mermaid, only for a log with diagrams (vendor/mermaid/README.md).
                    files.append(OutputFile(path: "assets/mermaid.min.js", bytes: Mermaid.script))
                    files.append(OutputFile(path: "assets/diagrams.js", text: theme.text("diagrams.js")))
                }
                files += theme.assetFiles
                files.append(OutputFile(path: ".nojekyll", bytes: []))
                return files
            },
        ]
        work.append {
            // Images and attachments the decisions reference, at their relative paths.
            var referenced = Set<String>()
            for d in log.decisions {
                for case .asset(let path, _)? in d.linkTargets { referenced.insert(path) }
            }
            let tree = FileRules.Tree(log.root, name: "the ADR directory")
            return referenced.sorted().filter { !blocked.contains($0) }
                .map { OutputFile(path: $0, copyFrom: $0, in: tree) }
        }
        return work
    }

    /// The site title: the option, else the H1 of the log's README.md or index.md.
    public static func title(for log: DecisionLog, options: SiteOptions) -> String {
        if let t = options.title, !t.isEmpty { return t }
        return log.readmeTitle ?? "Architecture Decision Records"
    }
}

extension SiteRenderer {
    /// For each decision, a hash of everything its page and badge are made from besides its own
    /// file: its relations, follow-ups, neighbours and what the page shows of every decision it
    /// names. The preview server re-renders a page when its file or this hash changed.
    public static func pageSignatures(_ log: DecisionLog, siteTitle: String) -> [String: Int] {
        let context = Context(log: log, theme: Theme.empty, options: SiteOptions(), siteTitle: siteTitle,
                              precompute: false)
        let count = log.decisions.count
        let decisions = log.decisions
        // What any page shows about a decision it names, hashed once per decision.
        let shown = ResultBox<Int>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let d = decisions[i]
            var h = Hasher()
            h.combine(d.id); h.combine(d.url); h.combine(d.title); h.combine(d.status); h.combine(d.statusCategory)
            h.combine(d.number); h.combine(d.date); h.combine(d.category)
            shown.set(i, h.finalize())
        }
        let shownHash = shown.values
        @Sendable func summary(_ id: String, into h: inout Hasher) {
            if let i = context.index[id] { h.combine(shownHash[i]) } else { h.combine(id) }
        }
        let signatures = ResultBox<Int>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let d = decisions[i]
            var h = Hasher()
            h.combine(siteTitle)
            h.combine(count)
            h.combine(context.facts)
            h.combine(shownHash[i])
            for l in d.links { h.combine(l.type); summary(l.target, into: &h) }
            for m in d.mentions { summary(m.target, into: &h) }
            for b in d.backlinks { h.combine(b.type); summary(b.source, into: &h) }
            for f in d.followUps { h.combine(f.number); h.combine(f.text); for a in f.addressedBy { summary(a, into: &h) } }
            for a in context.addresses[d.id] ?? [] { summary(a, into: &h) }
            for (k, target) in d.linkTargets.enumerated() {
                guard let target else { continue }
                h.combine(k)
                switch target {
                case .decision(let id, let fragment): summary(id, into: &h); h.combine(fragment)
                case .asset(let path, let suffix): h.combine(path); h.combine(suffix)
                }
            }
            if i > 0 { h.combine(shownHash[i - 1]) }
            if i + 1 < count { h.combine(shownHash[i + 1]) }
            signatures.set(i, h.finalize())
        }
        var out: [String: Int] = [:]
        out.reserveCapacity(count)
        for (i, value) in signatures.values.enumerated() { out[decisions[i].id] = value }
        return out
    }
}

/// What the preview server keeps between builds: each decision's object of decisions.json, by
/// id. Those of decisions whose page is not rendered again are still right (they depend on less
/// than the page does).
public final class RenderCache: @unchecked Sendable {
    fileprivate var json: [String: [UInt8]] = [:]
    public init() {}
}

/// Each decision's object of decisions.json, made on all cores.
/// A class: the file that uses a kind of fragment lets it go once written (`takeJSON`), so a
/// large log does not hold both the pieces and the file.
final class Fragments: @unchecked Sendable {
    private var json: [[UInt8]]
    private let lock = NSLock()

    init(json: [[UInt8]]) {
        self.json = json
    }

    /// The objects, taken out (the file that uses them lets them go once written).
    func takeJSON() -> [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        var out: [[UInt8]] = []
        swap(&out, &json)
        return out
    }

    static func make(_ log: DecisionLog, context: Context, chosen: [Int], cache: RenderCache?) -> Fragments {
        let count = log.decisions.count
        var json = [[UInt8]](repeating: [], count: count)
        var todo = chosen
        if let cache {
            let fresh = Set(chosen)
            todo = []
            for i in 0..<count {
                if !fresh.contains(i), let j = cache.json[log.decisions[i].id] {
                    json[i] = j
                } else {
                    todo.append(i)
                }
            }
        }
        let decisions = log.decisions
        let work = todo
        let made = Parallel.each(work.count) { DecisionsJSON.object(decisions[work[$0]]) }
        for (k, i) in todo.enumerated() { json[i] = made[k] }
        if let cache {
            var kept: [String: [UInt8]] = [:]
            for i in 0..<count { kept[decisions[i].id] = json[i] }
            cache.json = kept
        }
        return Fragments(json: json)
    }
}

/// Files handed over from several threads.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [OutputFile] = []
    func add(_ file: OutputFile) {
        lock.lock()
        items.append(file)
        lock.unlock()
    }
    var files: [OutputFile] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// The first error of several concurrent pieces of work.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    func set(_ error: Error) {
        lock.lock()
        if first == nil { first = error }
        lock.unlock()
    }
    var error: Error? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }
    var isSet: Bool { error != nil }
}

/// Slots written once each from concurrent iterations.
final class ResultBox<T>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<T?>
    init(count: Int) {
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil)
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
    func set(_ i: Int, _ value: T) { slots[i] = value }
    var values: [T] { (0..<slots.count).compactMap { slots[$0] } }
}
