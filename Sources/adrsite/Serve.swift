import ADRCore
import ADRServe
import ADRSite
import ArgumentParser
import Dispatch
import Foundation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serves the site while you edit it, rebuilding and reloading open pages on every change.",
        discussion: "Builds in memory (nothing is written), watches the ADR directory and the templates, and serves only the files of the site."
    )

    @OptionGroup var log: LogOptions
    @OptionGroup var site: SiteArguments

    @Option(help: "Port to listen on (0: any free port).")
    var port: UInt16 = 4000

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Flag(help: "Open the site in a browser.")
    var open = false

    @Flag(help: "Print how long each stage of every rebuild took.")
    var timings = false

    func run() async throws {
        let directory = try log.resolveDirectory()
        var settings = PreviewServer.Settings(directory: directory)
        settings.host = host
        settings.port = port
        settings.pipeline = log.pipelineOptions
        settings.site = site.siteOptions(log)
        settings.templateFolders = site.templateFolders(for: directory)
        settings.displayPrefix = Console.displayPath(directory)
        settings.showTimings = timings
        let server = PreviewServer(settings: settings) { line in Console.out(line) }
        let url: String
        do {
            url = try await server.start()
        } catch let failure as PreviewServer.Failure {
            Console.error("error: \(failure)")
            throw ExitCode(1)
        }
        Console.out("Serving \(settings.displayPrefix) at \(url)  (Ctrl-C to stop)")
        if open { Browser.open(url) }

        // Ctrl-C and SIGTERM stop the server and end the command cleanly.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let stop = AsyncStream<Int32> { continuation in
            for number in [SIGINT, SIGTERM] {
                let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                Signals.keep(source)
            }
        }
        let watching = Task { try await server.watch() }
        var signals = stop.makeAsyncIterator()
        _ = await signals.next()
        watching.cancel()
        await server.stop()
        Console.out("stopped")
    }
}

/// Keeps signal sources alive for the life of the process.
enum Signals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    static func keep(_ source: DispatchSourceSignal) { sources.append(source) }
}

/// Opens a URL with the desktop's browser, when there is one.
enum Browser {
    static func open(_ url: String) {
        for opener in ["/usr/bin/xdg-open", "/usr/bin/sensible-browser", "/usr/bin/open"]
        where FileManager.default.isExecutableFile(atPath: opener) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: opener)
            process.arguments = [url]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            if (try? process.run()) != nil { return }
        }
        Console.error("no browser to open here; open \(url) yourself")
    }
}
