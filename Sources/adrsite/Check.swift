import ADRCore
import ArgumentParser

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Reads a decision log and reports what does not add up.",
        discussion: "Prints diagnostics as path:line:col: error|warning: message and a summary; exits 1 on errors (with --strict, on warnings too)."
    )

    @OptionGroup var log: LogOptions

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Flag(name: .shortAndLong, help: "Also list every decision and every Markdown file that is not one, with the reason.")
    var verbose = false

    func run() throws {
        let directory = try log.resolveDirectory()
        let decisionLog = Pipeline.decisionLog(directory, options: log.pipelineOptions)
        let prefix = Console.displayPath(directory)
        if verbose {
            for d in decisionLog.decisions {
                let number = d.number.map { "#\($0) " } ?? ""
                Console.out("\(Paths.join(prefix, d.source)): \(number)\"\(d.title)\" [\(d.status ?? "no status")] \(d.date?.description ?? "no date") → \(d.url)")
            }
            for e in decisionLog.excluded {
                Console.out("\(Paths.join(prefix, e.path)): not a decision: \(e.reason)")
            }
        }
        Console.report(decisionLog.diagnostics, prefix: prefix)
        Console.out(Console.summary(decisionLog, verb: "checked", directory: prefix))
        if decisionLog.errorCount > 0 || (strict && decisionLog.warningCount > 0) {
            throw ExitCode(1)
        }
    }
}
