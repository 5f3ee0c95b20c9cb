import ADRCore
import ArgumentParser

@main
struct AdrsiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adrsite",
        abstract: "Turns a folder of Architecture Decision Records into a static website.",
        version: "adrsite \(adrsiteVersion) (cmark \(CommonMark.version))",
        subcommands: [Check.self, Build.self, Serve.self]
    )
}

/// Options every command that reads a decision log shares.
struct LogOptions: ParsableArguments {
    @Argument(help: "The ADR directory. Default: the path in .adr-dir, else the first of doc/adr, docs/adr, docs/decisions, doc/decisions, adr, decisions.")
    var directory: String?

    @Option(name: .customLong("repo-url"), help: "Web address of the ADR directory in its repository (for 'edit source' links and absolute links into the log).")
    var repositoryURL: String?

    /// The directory to read, or an error saying why none was found.
    func resolveDirectory() throws -> String {
        if let directory { return directory }
        if let found = DefaultDirectory.find() { return found }
        throw ValidationError("no ADR directory given and none found (.adr-dir, doc/adr, docs/adr, docs/decisions, doc/decisions, adr, decisions)")
    }

    @Flag(name: .customLong("unsafe-html"), help: "Keep raw HTML from the ADRs in the pages and copy attachments that can run scripts (off: left out, as cmark does by default).")
    var unsafeHTML = false

    var pipelineOptions: Pipeline.Options {
        var options = Pipeline.Options()
        options.link.repositoryURL = repositoryURL
        options.parse.unsafeHTML = unsafeHTML
        options.link.allowActiveAttachments = unsafeHTML
        return options
    }
}
