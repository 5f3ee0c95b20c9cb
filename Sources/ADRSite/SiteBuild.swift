import ADRCore
import Foundation

/// The one way a site is built: load → parse → link (`Pipeline`) → render (`SiteRenderer`) →
/// write (`SiteWriter`). `adrsite build` writes to disk; `serve` and the tests keep the site in
/// memory, and `serve` hands each build's state to the next, which then reads, parses and
/// renders again only what changed (as zola's `BuildMode::{Disk, Memory}`).
public enum SiteBuild {
    public struct Request: Sendable {
        public var directory: String
        public var pipeline = Pipeline.Options()
        public var site = SiteOptions()
        /// Folders of templates laid over the default theme, later ones winning.
        public var templateFolders: [String] = []

        public init(directory: String) { self.directory = directory }
    }

    public enum Mode: Sendable {
        /// The files stay in memory (`Result.files`).
        case memory
        /// The files are written as they are rendered into a `SiteWriter.Session` for `output`,
        /// opened once the log is linked; `opened` gets it (to stop it on a signal).
        case disk(output: String, opened: @Sendable (SiteWriter.Session) -> Void = { _ in })
    }

    /// What a build keeps for the next one.
    public struct State: Sendable {
        var parse = Pipeline.ParseCache()
        var theme: Theme?
        var themeStamps: [String: FileStamp] = [:]
        var signatures: [String: Int] = [:]
        /// Decision pages and badges of the last build, by site path, and the paths of each decision.
        var pages: [String: OutputFile] = [:]
        var pageOwner: [String: [String]] = [:]
        /// decisions.json objects and search entries of the last build.
        let renderCache = RenderCache()
        var sourceCount = -1
        var assets: [String] = []

        public init() {}
    }

    public struct Result: Sendable {
        /// The linked log; nil when the templates did not compile.
        public var log: DecisionLog?
        public var templateError: TemplateError?
        /// Why the site was not written (disk mode), if it was not.
        public var writeError: SiteWriter.Failure?
        /// The site, by path (memory mode); nil when nothing was rendered.
        public var files: [String: OutputFile]?
        /// The theme's files that the template folders replaced.
        public var overriddenTemplates: [String] = []
        public var pagesRendered = 0
        public var filesParsed = 0
        /// False when nothing the site is made of changed since the last build.
        public var changed = true
        public var timings = Timings()
        public var state: State

        public var diagnostics: [Diagnostic] { log?.diagnostics ?? [] }
        /// A build that stops: the log has errors and no decision (or did not load at all).
        public var failed: Bool { templateError != nil || writeError != nil || log.map { $0.decisions.isEmpty && $0.errorCount > 0 } ?? true }
    }

    public static func run(_ request: Request, mode: Mode, previous: State? = nil) -> Result {
        var state = previous ?? State()
        var result = Result(state: state)

        // Templates: loaded again when a file of an override folder changed, on a thread of
        // their own while the log is loaded and parsed.
        let stamps = templateStamps(request.templateFolders)
        let themeLoad = state.theme == nil || stamps != state.themeStamps
            ? ThemeLoad(overrides: request.templateFolders) : nil

        let incremental = previous != nil
        // The body's raw HTML is kept or left out as the site says.
        var pipeline = request.pipeline
        pipeline.parse.unsafeHTML = request.site.unsafeHTML
        let output = Pipeline.run(request.directory, options: pipeline, cache: incremental ? state.parse : nil,
                                  timings: &result.timings)
        var themeChanged = false
        if let themeLoad {
            let loaded = themeLoad.wait()
            result.timings.add("templates (beside load and parse)", wall: loaded.wall, cpu: loaded.cpu)
            switch loaded.theme {
            case .success(let theme):
                state.theme = theme
                state.themeStamps = stamps
                themeChanged = true
            case .failure(let error):
                state.theme = nil
                state.themeStamps = [:]
                result.templateError = error as? TemplateError
                    ?? TemplateError(file: request.templateFolders.last ?? "", line: 1, column: 1, message: "\(error)")
                result.state = state
                return result
            }
        }
        let theme = state.theme!
        result.overriddenTemplates = theme.overridden
        var clock = result.timings.start()
        let log = output.log
        result.log = log
        result.filesParsed = output.parsed.count
        result.changed = themeChanged || !output.parsed.isEmpty || !output.removed.isEmpty
            || log.decisions.count != state.sourceCount || output.assets != state.assets
        state.parse = output.cache
        state.sourceCount = log.decisions.count
        state.assets = output.assets
        result.state = state
        guard !result.failed else { return result }

        let siteTitle = SiteRenderer.title(for: log, options: request.site)
        switch mode {
        case .disk(let path, let opened):
            do {
                let session = try SiteWriter.Session(output: path, input: request.directory)
                opened(session)
                do {
                    try SiteRenderer.render(log, theme: theme, options: request.site, siteTitle: siteTitle,
                                            sink: { try session.write($0) })
                    result.timings.lap("render+write", &clock)
                    try session.commit()
                } catch {
                    session.abort()
                    throw error
                }
                result.timings.lap("swap", &clock)
                result.pagesRendered = log.decisions.count
            } catch let error as TemplateError {
                // A limit of the renderer (page size, depth).
                result.templateError = error
            } catch let failure as SiteWriter.Failure {
                result.writeError = failure
            } catch {
                result.writeError = SiteWriter.Failure(message: "\(error)")
            }
        case .memory:
            // A decision page is rendered again when its file changed or when anything it
            // shows about other decisions changed.
            let signatures = SiteRenderer.pageSignatures(log, siteTitle: siteTitle)
            result.timings.lap("signatures", &clock)
            let fresh = Set(log.decisions.filter { d in
                !incremental || themeChanged || output.parsed.contains(d.source) || state.signatures[d.id] != signatures[d.id]
            }.map(\.id))
            let rendered: [OutputFile]
            do {
                rendered = try SiteRenderer.render(log, theme: theme, options: request.site, siteTitle: siteTitle,
                                                   pages: incremental ? fresh : nil, cache: state.renderCache)
            } catch {
                // A limit of the renderer (page size, depth): a template error; the theme is loaded
                // again next time, so every page is rendered again.
                result.templateError = error as? TemplateError
                    ?? TemplateError(file: "", line: 1, column: 1, message: "\(error)")
                state.theme = nil
                state.themeStamps = [:]
                result.state = state
                return result
            }
            result.timings.lap("render", &clock)
            state.signatures = signatures
            result.files = state.keep(rendered, log: log)
            result.pagesRendered = fresh.count
        }
        result.state = state
        return result
    }

    /// Stamps of every file in the template folders.
    private static func templateStamps(_ folders: [String]) -> [String: FileStamp] {
        var out: [String: FileStamp] = [:]
        for folder in folders {
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

extension SiteBuild.State {
    /// The whole site: the files just rendered, and the decision pages and badges of earlier
    /// builds that were not rendered again (those of decisions that are gone go).
    mutating func keep(_ rendered: [OutputFile], log: DecisionLog) -> [String: OutputFile] {
        let ids = Set(log.decisions.map(\.id))
        for (id, paths) in pageOwner where !ids.contains(id) {
            for p in paths { pages[p] = nil }
            pageOwner[id] = nil
        }
        var owner: [String: String] = [:]
        for d in log.decisions {
            owner[d.url] = d.id
            owner["badges/\(d.id).svg"] = d.id
        }
        var files: [String: OutputFile] = [:]
        for file in rendered {
            if let id = owner[file.path] {
                pages[file.path] = file
                if !(pageOwner[id]?.contains(file.path) ?? false) { pageOwner[id, default: []].append(file.path) }
            } else {
                files[file.path] = file
            }
        }
        for (path, file) in pages { files[path] = file }
        return files
    }
}
