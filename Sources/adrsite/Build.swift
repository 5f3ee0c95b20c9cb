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
        let beside = Self.templatesBeside(directory)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: beside, isDirectory: &isDirectory), isDirectory.boolValue {
            folders.append(beside)
        }
        if let templates { folders.append(templates) }
        return folders
    }

    /// The `templates` folder next to `directory`, however the directory is written: `docs/adr/`
    /// → `docs/templates`, `adr` → `templates`; for `.`, `..`, `x/..`, `/` or a symbolic link,
    /// the parent as the file system finds it (`./../templates`: beside the folder a link
    /// leads to). Only strings and one lstat: Foundation's path methods stop the program on
    /// some of these (`deletingLastPathComponent` of ".").
    static func templatesBeside(_ directory: String) -> String {
        var d = Substring(directory)
        while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
        let last = d.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        var st = stat()
        let isLink = lstat(String(d), &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
        if last.isEmpty || last == "." || last == ".." || isLink {
            return d == "/" ? "/../templates" : d + "/../templates"
        }
        guard let slash = d.lastIndex(of: "/") else { return "templates" }
        return d[..<slash].isEmpty ? "/templates" : d[..<slash] + "/templates"
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
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
        var request = SiteBuild.Request(directory: directory)
        request.pipeline = log.pipelineOptions
        request.site = site.siteOptions(log)
        request.templateFolders = site.templateFolders(for: directory)
        let interrupts = Locked<Interrupts?>(nil)
        defer { interrupts.value?.cancel() }
        let output = self.output
        let built = SiteBuild.run(request, mode: .disk(output: output, opened: { session in
            // Ctrl-C or SIGTERM while writing: the temporary folder goes, the previous site stays.
            interrupts.value = Interrupts.onSignal { number in
                // Once the new site is being swapped in, the swap completes.
                guard session.abort(interrupt: true) else { return }
                Console.error("\(output): interrupted; the previous site was left as it was")
                Foundation.exit(128 + number)   // as a shell reports a process ended by the signal
            }
            interrupts.value?.session = session
        }))
        if let error = built.templateError {
            Console.error(error.description)
            throw ExitCode(1)
        }
        guard let decisionLog = built.log else { throw ExitCode(1) }
        Console.report(decisionLog.diagnostics, prefix: prefix)
        if decisionLog.decisions.isEmpty && decisionLog.errorCount > 0 { throw ExitCode(1) }
        if let failure = built.writeError {
            // Stopped by a signal: its handler reports and exits.
            while interrupts.value?.session?.wasInterrupted == true { sleep(1) }
            Console.error("\(output): error: \(failure.message)")
            throw ExitCode(1)
        }
        if timings { Console.error(built.timings.summary) }
        if !built.overriddenTemplates.isEmpty {
            let folders = request.templateFolders.joined(separator: ", ")
            let which = built.overriddenTemplates.count <= 4 ? built.overriddenTemplates.joined(separator: ", ")
                : "\(built.overriddenTemplates.count) of the theme's files"
            Console.out("templates: \(which) from \(folders)")
        }
        let index = (output as NSString).appendingPathComponent("index.html")
        Console.out(Console.summary(decisionLog, verb: "built", directory: prefix) + " → open \(index)")
        let failed = decisionLog.errorCount > 0 || (strict && decisionLog.warningCount > 0)
        // The site is written and swapped in: the process ends here, and the kernel takes back
        // what the build holds at once. Letting the log, its pages' data and the parse cache go
        // object by object took one core about 50 ms at 10,000 records (site/0025).
        withExtendedLifetime(built) { Foundation.exit(failed ? 1 : 0) }
    }
}

/// Runs `handler` (on a dispatch queue, not in signal context) on SIGINT or SIGTERM.
struct Interrupts {
    private let sources: [DispatchSourceSignal]
    /// The writing the handler stops.
    var session: SiteWriter.Session?

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

/// A value shared between threads, behind a lock.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
