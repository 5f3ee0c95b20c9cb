import ADRCore
import ADRSite
import ArgumentParser

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Builds the site for a decision log.",
        discussion: "Builds into a temporary folder next to the output and swaps it in when every file was written; refuses an output folder that adrsite did not write."
    )

    @OptionGroup var log: LogOptions

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String = "_site"

    @Flag(help: "Fail on warnings too.")
    var strict = false

    func run() throws {
        let directory = try log.resolveDirectory()
        let prefix = Console.displayPath(directory)
        let decisionLog = Pipeline.decisionLog(directory, options: log.pipelineOptions)
        Console.report(decisionLog.diagnostics, prefix: prefix)
        if decisionLog.decisions.isEmpty && decisionLog.errorCount > 0 {
            throw ExitCode(1)
        }
        let files = [OutputFile(path: "decisions.json", bytes: DecisionsJSON.render(decisionLog))]
        do {
            try SiteWriter.write(files, to: output, input: directory)
        } catch let failure as SiteWriter.Failure {
            Console.error("\(output): error: \(failure.message)")
            throw ExitCode(1)
        }
        Console.out(Console.summary(decisionLog, verb: "built", directory: prefix) + " → \(output)/decisions.json")
        if decisionLog.errorCount > 0 || (strict && decisionLog.warningCount > 0) {
            throw ExitCode(1)
        }
    }
}
