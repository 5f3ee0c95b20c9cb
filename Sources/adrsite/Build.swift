import ADRCore
import ADRSite
import ArgumentParser
import Dispatch
import Foundation

/// Options of the site itself, shared by `build` and `serve`.
struct SiteArguments: ParsableArguments {
    @Option(name: .customLong("templates"), help: "A folder of templates that replace the default theme's, file by file.")
    var templates: String?

    @Option(help: "Site title. Default: the first heading of the ADR directory's README.md, else \"Architecture Decision Records\".")
    var title: String?

    @Option(name: .customLong("base-url"), help: "Address the site is published at; used for absolute links in the feed and sitemap only.")
    var baseURL: String?

    @Option(name: .customLong("lang"), help: "Language of the pages, a BCP 47 tag such as fr or pt-BR. Default: the one the decisions' front matter states (lang:), else en.")
    var language: String?

    func siteOptions(_ log: LogOptions) -> SiteOptions {
        var options = SiteOptions()
        options.title = title
        options.unsafeHTML = log.unsafeHTML
        options.repositoryURL = log.repositoryURL
        options.baseURL = baseURL
        options.language = language
        return options
    }

    /// Template folders: a `templates/` folder beside the ADR directory, then `--templates`.
    func templateFolders(for directory: String) -> [String] {
        var folders: [String] = []
        let parent = (directory as NSString).deletingLastPathComponent
        let beside = ((parent.isEmpty ? "." : parent) as NSString).appendingPathComponent("templates")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: beside, isDirectory: &isDirectory), isDirectory.boolValue {
            folders.append(beside)
        }
        if let templates { folders.append(templates) }
        return folders
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Builds the site for a decision log.",
        discussion: "Builds into a temporary folder next to the output and swaps it in when every file was written; refuses an output folder that adrsite did not write."
    )

    @OptionGroup var log: LogOptions
    @OptionGroup var site: SiteArguments

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String = "_site"

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Flag(help: "Print how long each stage took.")
    var timings = false

    func run() throws {
        let directory = try log.resolveDirectory()
        let prefix = Console.displayPath(directory)
        var stageTimes = Timings()
        var clock = stageTimes.start()
        let theme: Theme
        do {
            theme = try Theme.load(overrides: site.templateFolders(for: directory))
        } catch let error as TemplateError {
            Console.error(error.description)
            throw ExitCode(1)
        }
        stageTimes.lap("templates", &clock)
        let decisionLog = Pipeline.decisionLog(directory, options: log.pipelineOptions, timings: &stageTimes)
        clock = ContinuousClock.now
        Console.report(decisionLog.diagnostics, prefix: prefix)
        if decisionLog.decisions.isEmpty && decisionLog.errorCount > 0 {
            throw ExitCode(1)
        }
        var options = site.siteOptions(log)
        options.releaseDocuments = true
        // Render and write together: each page is written as soon as it is rendered.
        do {
            let session = try SiteWriter.Session(output: output, input: directory)
            // Ctrl-C or SIGTERM while writing: the temporary folder goes, the previous site stays.
            let interrupts = Interrupts.onSignal { number in
                // Once the new site is being swapped in, the swap completes.
                guard session.abort(interrupt: true) else { return }
                Console.error("\(output): interrupted; the previous site was left as it was")
                Foundation.exit(128 + number)   // as a shell reports a process ended by the signal
            }
            defer { interrupts.cancel() }
            do {
                try SiteRenderer.render(decisionLog, theme: theme, options: options,
                                        siteTitle: SiteRenderer.title(for: decisionLog, options: options),
                                        sink: { try session.write($0) })
                stageTimes.lap("render+write", &clock)
                try session.commit()
            } catch {
                session.abort()
                // Stopped by a signal: its handler reports and exits.
                while session.wasInterrupted { sleep(1) }
                throw error
            }
            stageTimes.lap("swap", &clock)
        } catch let failure as SiteWriter.Failure {
            Console.error("\(output): error: \(failure.message)")
            throw ExitCode(1)
        }
        if timings { Console.error(stageTimes.summary) }
        if !theme.overridden.isEmpty {
            let folders = site.templateFolders(for: directory).joined(separator: ", ")
            let which = theme.overridden.count <= 4 ? theme.overridden.joined(separator: ", ")
                : "\(theme.overridden.count) of the theme's files"
            Console.out("templates: \(which) from \(folders)")
        }
        let index = (output as NSString).appendingPathComponent("index.html")
        Console.out(Console.summary(decisionLog, verb: "built", directory: prefix) + " → open \(index)")
        if decisionLog.errorCount > 0 || (strict && decisionLog.warningCount > 0) {
            throw ExitCode(1)
        }
    }
}

/// Runs `handler` (on a dispatch queue, not in signal context) on SIGINT or SIGTERM.
struct Interrupts {
    private let sources: [DispatchSourceSignal]

    static func onSignal(_ handler: @escaping @Sendable (Int32) -> Void) -> Interrupts {
        var sources: [DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
        return Interrupts(sources: sources)
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
