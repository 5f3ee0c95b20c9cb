import ADRCore
import ADRSite
import Foundation

/// Builds the site in memory and rebuilds it after a change (`SiteBuild` in memory mode, each
/// build handed the state of the last): files whose stamp changed are read and parsed again;
/// the link pass runs over the whole log (it is cheap); a decision page is rendered again when
/// its file changed or when anything it shows about other decisions changed; the pages about
/// the whole log (index, follow-ups, JSON, feed, search) are rendered every time.
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
    private var state: SiteBuild.State?

    init(settings: Settings) {
        self.settings = settings
    }

    func build() -> Result {
        let clock = ContinuousClock.now
        var request = SiteBuild.Request(directory: settings.directory)
        request.pipeline = settings.pipeline
        request.site = settings.site
        request.templateFolders = settings.templateFolders
        let built = SiteBuild.run(request, mode: .memory, previous: state ?? SiteBuild.State())
        state = built.state
        return Result(files: built.files, diagnostics: built.diagnostics, templateError: built.templateError,
                      duration: ContinuousClock.now - clock, pagesRendered: built.pagesRendered,
                      filesParsed: built.filesParsed, decisionCount: built.log?.decisions.count ?? 0,
                      changed: built.changed, stages: built.timings.summary)
    }
}
