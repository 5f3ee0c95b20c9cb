import ADRCore
import ADRSite
import Foundation

/// Builds the site in memory and rebuilds it after a change, redoing only what the change
/// touches: files whose stamp changed are read and parsed again; the link pass runs over the
/// whole log (it is cheap); a decision page is rendered again when its file changed or when
/// anything it shows about other decisions changed (`SiteRenderer.pageSignatures`); the pages
/// about the whole log (index, follow-ups, JSON, feed, search) are rendered every time.
final class PreviewBuilder: @unchecked Sendable {
    struct Settings: Sendable {
        var directory: String
        var pipeline = Pipeline.Options()
        var site = SiteOptions()
        var templateFolders: [String] = []
    }

    /// The outcome of one build.
    struct Result: Sendable {
        /// The site to serve, or nil when the build failed (then the last good site stays).
        var files: [String: OutputFile]?
        /// Everything the build reported about the ADR directory; errors make it fail.
        var diagnostics: [Diagnostic]
        /// A template that does not compile (its path is as the user named the folder).
        var templateError: TemplateError? = nil
        var duration: Duration
        var pagesRendered: Int
        var filesParsed: Int
        var decisionCount: Int
        /// False when nothing the site is made of changed (the event was a no-op save).
        var changed = true
        /// How long each stage took.
        var stages = ""
    }

    let settings: Settings
    private var parsed: [String: (stamp: FileStamp, hash: Int, outcome: ADRParser.Outcome)] = [:]
    private var signatures: [String: Int] = [:]
    private var pages: [String: OutputFile] = [:]   // decision pages and badges, by site path
    private var pageOwner: [String: [String]] = [:]   // decision id -> its paths in `pages`
    private var theme: Theme?
    /// decisions.json objects and search entries of the last build.
    private let renderCache = RenderCache()
    private var lastSourceCount = -1
    private var lastAssets: [String] = []
    private var themeStamp: [String: FileStamp] = [:]

    init(settings: Settings) {
        self.settings = settings
    }

    func build() -> Result {
        let clock = ContinuousClock.now
        var diagnostics: [Diagnostic] = []

        // Templates: reloaded when a file of an override folder changed.
        let stamps = templateStamps()
        var themeChanged = false
        if theme == nil || stamps != themeStamp {
            do {
                theme = try Theme.load(overrides: settings.templateFolders)
                themeStamp = stamps
                themeChanged = true
            } catch let error as TemplateError {
                theme = nil
                themeStamp = [:]
                return Result(files: nil, diagnostics: [], templateError: error, duration: ContinuousClock.now - clock,
                              pagesRendered: 0, filesParsed: 0, decisionCount: 0)
            } catch {
                return Result(files: nil, diagnostics: [.error("", "\(error)")], duration: ContinuousClock.now - clock,
                              pagesRendered: 0, filesParsed: 0, decisionCount: 0)
            }
        }
        guard let theme else { return Result(files: nil, diagnostics: [], duration: .zero, pagesRendered: 0, filesParsed: 0, decisionCount: 0) }

        // Load: list the directory, read only files that changed.
        var loadOptions = settings.pipeline.load
        let known = parsed.mapValues(\.stamp)
        // A file changed twice within the clock's granularity keeps its stamp, so files touched
        // in the last two seconds are read again and compared by content (as git does).
        let recent = Int64(Date().timeIntervalSince1970) - 2
        loadOptions.unchanged = { path, stamp in known[path] == stamp && stamp.modified < recent }
        var timings = Timings()
        var lap = timings.start()
        let loaded = Loader.load(settings.directory, options: loadOptions)
        timings.lap("load", &lap)
        if loaded.diagnostics.contains(where: { $0.severity == .error }) {
            return Result(files: nil, diagnostics: loaded.diagnostics, duration: ContinuousClock.now - clock,
                          pagesRendered: 0, filesParsed: 0, decisionCount: 0)
        }

        // Parse what changed; keep the rest.
        var next: [String: (stamp: FileStamp, hash: Int, outcome: ADRParser.Outcome)] = [:]
        var fresh: [SourceFile] = []
        var hashes: [String: Int] = [:]
        for source in loaded.sources {
            if source.reused {
                if let cached = parsed[source.path] { next[source.path] = cached }
                continue
            }
            var h = Hasher()
            h.combine(source.bytes)
            let hash = h.finalize()
            if let cached = parsed[source.path], cached.hash == hash, let stamp = source.stamp {
                next[source.path] = (stamp, hash, cached.outcome)   // read again, but the same
            } else {
                fresh.append(source)
                hashes[source.path] = hash
            }
        }
        let outcomes = Pipeline.parse(fresh)
        timings.lap("parse", &lap)
        var changedSources = Set<String>()
        for (source, outcome) in zip(fresh, outcomes) {
            if let stamp = source.stamp { next[source.path] = (stamp, hashes[source.path] ?? 0, outcome) }
            changedSources.insert(source.path)
        }
        let removed = Set(parsed.keys).subtracting(next.keys)
        parsed = next
        let changed = themeChanged || !changedSources.isEmpty || !removed.isEmpty
            || loaded.sources.count != lastSourceCount || loaded.assets != lastAssets
        lastSourceCount = loaded.sources.count
        lastAssets = loaded.assets

        // Link the whole log.
        let ordered = loaded.sources.compactMap { parsed[$0.path]?.outcome }
        let log = Pipeline.link(loaded: loaded, outcomes: ordered, options: settings.pipeline.link)
        timings.lap("link", &lap)
        diagnostics += log.diagnostics

        // Render what changed.
        let siteTitle = SiteRenderer.title(for: log, options: settings.site)
        let newSignatures = SiteRenderer.pageSignatures(log, siteTitle: siteTitle)
        timings.lap("signatures", &lap)
        var toRender = Set<String>()
        for d in log.decisions where themeChanged || changedSources.contains(d.source) || signatures[d.id] != newSignatures[d.id] {
            toRender.insert(d.id)
        }
        let rendered: [OutputFile]
        do {
            rendered = try SiteRenderer.render(log, theme: theme, options: settings.site, siteTitle: siteTitle,
                                               pages: toRender, cache: renderCache)
        } catch {
            // A limit of the renderer (page size, depth): reported as a template error; the
            // theme is loaded again next time, so every page is rendered again.
            self.theme = nil
            themeStamp = [:]
            let templateError = error as? TemplateError ?? TemplateError(file: "", line: 1, column: 1, message: "\(error)")
            return Result(files: nil, diagnostics: diagnostics, templateError: templateError,
                          duration: ContinuousClock.now - clock, pagesRendered: 0, filesParsed: 0, decisionCount: 0)
        }
        timings.lap("render", &lap)
        signatures = newSignatures

        // Pages of decisions that are gone go too.
        let ids = Set(log.decisions.map(\.id))
        for (id, paths) in pageOwner where !ids.contains(id) {
            for p in paths { pages[p] = nil }
            pageOwner[id] = nil
        }
        _ = removed
        var files: [String: OutputFile] = [:]
        let decisionPaths = Dictionary(uniqueKeysWithValues: log.decisions.flatMap { d in
            [(d.url, d.id), ("badges/\(d.id).svg", d.id)]
        })
        for file in rendered {
            if let owner = decisionPaths[file.path] {
                pages[file.path] = file
                if !(pageOwner[owner]?.contains(file.path) ?? false) { pageOwner[owner, default: []].append(file.path) }
            } else {
                files[file.path] = file
            }
        }
        for (path, file) in pages { files[path] = file }
        return Result(files: files, diagnostics: diagnostics.sorted(), duration: ContinuousClock.now - clock,
                      pagesRendered: toRender.count, filesParsed: fresh.count, decisionCount: log.decisions.count,
                      changed: changed, stages: timings.summary)
    }

    /// Stamps of every file in the template folders.
    private func templateStamps() -> [String: FileStamp] {
        var out: [String: FileStamp] = [:]
        for folder in settings.templateFolders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names {
                let path = folder + "/" + name
                var st = stat()
                if stat(path, &st) == 0 { out[path] = FileStamp(st) }
            }
        }
        return out
    }
}
