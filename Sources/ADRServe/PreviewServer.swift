import ADRCore
import ADRSite
import Foundation

/// `adrsite serve`: builds the site in memory, serves it, watches the ADR directory and the
/// templates, rebuilds what a change touches and tells open pages to reload (server-sent
/// events; the client script is added only here, never to `build` output).
public final class PreviewServer: @unchecked Sendable {
    public struct Settings: Sendable {
        public var directory: String
        public var host = "127.0.0.1"
        public var port: UInt16 = 4000
        public var pipeline = Pipeline.Options()
        public var site = SiteOptions()
        public var templateFolders: [String] = []
        /// How diagnostics are shown: `path` is made relative to the user's directory by the caller.
        public var displayPrefix = ""
        /// Print how long each stage of a rebuild took.
        public var showTimings = false

        public init(directory: String) { self.directory = directory }
    }

    public enum Failure: Error, CustomStringConvertible {
        case portInUse(host: String, port: UInt16)
        case cannotListen(String)

        public var description: String {
            switch self {
            case .portInUse(let host, let port):
                return "port \(port) on \(host) is already in use (is another adrsite serve running?); "
                    + "stop it, or choose another port: adrsite serve --port \(port == 65535 ? 4001 : port + 1)"
            case .cannotListen(let message):
                return "cannot start the preview server: \(message)"
            }
        }
    }

    let settings: Settings
    let store = SiteStore()
    let hub = EventHub()
    private let builder: PreviewBuilder
    private let output: @Sendable (String) -> Void
    private var server: HTTPServer?

    /// `output` receives the lines to print (URL, rebuilds, diagnostics).
    public init(settings: Settings, output: @escaping @Sendable (String) -> Void) {
        var settings = settings
        settings.site.extraHead = LiveReload.script
        self.settings = settings
        self.output = output
        self.builder = PreviewBuilder(settings: .init(directory: settings.directory, pipeline: settings.pipeline,
                                                      site: settings.site, templateFolders: settings.templateFolders))
        store.root = Paths.real(settings.directory)
    }

    /// Builds, starts listening and returns the address; `watch()` then rebuilds on changes.
    public func start() async throws -> String {
        rebuild(initial: true)
        var limits = HTTPServer.Limits()
        limits.maxConnections = FileLimit.connectionBudget(limit: FileLimit.raise(), open: FileLimit.openCount())
        let server = HTTPServer(limits: limits, handler: { [store, hub] request in
            request.path == "/__adrsite/events" ? .eventStream(first: hub.greeting()) : SiteHandler(store: store).reply(to: request)
        }, log: output)
        let port: UInt16
        do {
            port = try server.start(host: settings.host, port: settings.port)
        } catch HTTPServer.ListenError.addressInUse {
            throw Failure.portInUse(host: settings.host, port: settings.port)
        } catch HTTPServer.ListenError.failed(let message) {
            throw Failure.cannotListen(message)
        }
        hub.deliver = { [server] in server.broadcast($0) }
        self.server = server
        return "http://\(settings.host.contains(":") ? "[\(settings.host)]" : settings.host):\(port)/"
    }

    /// Watches and rebuilds until the task is cancelled.
    public func watch() async throws {
        let watcher = try Watcher(folders: [settings.directory] + settings.templateFolders)
        var changes = watcher.changes().makeAsyncIterator()
        while await changes.next() != nil {
            // Let a burst of events (an editor writing a temporary file and renaming it) settle.
            try await Task.sleep(for: .milliseconds(5))
            rebuild(initial: false)
        }
    }

    public func stop() async {
        server?.stop()
    }

    /// Rebuilds, swaps the site in when the build succeeded, prints and broadcasts the result.
    func rebuild(initial: Bool) {
        let result = builder.build()
        // A save that changed nothing (same bytes) is not worth a reload, unless the last build failed.
        if !initial && !result.changed && result.files != nil && !store.isBroken { return }
        let errors = result.diagnostics.filter { $0.severity == .error }
        let broken = result.files == nil || !errors.isEmpty
        if let files = result.files, errors.isEmpty {
            store.replace(files)
        }
        var lines = result.templateError.map { [$0.description] } ?? []
        lines += result.diagnostics.map { $0.formatted(under: settings.displayPrefix) }
        store.setState(broken: broken, diagnostics: lines)
        let ms = Double(result.duration.components.attoseconds) / 1e15 + Double(result.duration.components.seconds) * 1000
        let errorCount = errors.count + (result.templateError == nil ? 0 : 1)
        let warnings = result.diagnostics.count - errors.count
        let what = initial ? "built" : "rebuilt"
        var line = "\(what) in \(String(format: "%.1f", ms)) ms: \(result.decisionCount) decisions, "
            + "\(result.filesParsed) file\(result.filesParsed == 1 ? "" : "s") read, "
            + "\(result.pagesRendered) page\(result.pagesRendered == 1 ? "" : "s") rendered, "
            + "\(errorCount) error\(errorCount == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        if broken { line += " — the last good site is still served" }
        if settings.showTimings && !result.stages.isEmpty { line += " (\(result.stages))" }
        output(line)
        for l in lines { output(l) }
        hub.broadcast(event: "state", data: store.stateJSON())
        if !initial && !broken { hub.broadcast(event: "reload", data: "{\"generation\":\(store.generation)}") }
    }
}

/// The site being served; replaced as a whole after each good build, so no request ever sees
/// half an old and half a new site.
final class SiteStore: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: OutputFile] = [:]
    private(set) var generation = 0
    private var broken = false
    private var diagnostics: [String] = []
    /// Real path of the ADR directory: copied files are served only from inside it.
    var root: String?

    func replace(_ newFiles: [String: OutputFile]) {
        lock.lock()
        files = newFiles
        generation += 1
        lock.unlock()
    }

    func file(_ path: String) -> OutputFile? {
        lock.lock()
        defer { lock.unlock() }
        return files[path]
    }

    var isBroken: Bool {
        lock.lock()
        defer { lock.unlock() }
        return broken
    }

    func setState(broken: Bool, diagnostics: [String]) {
        lock.lock()
        self.broken = broken
        self.diagnostics = diagnostics
        lock.unlock()
    }

    /// `{"broken": …, "generation": …, "diagnostics": ["path:line:col: severity: message", …]}`
    func stateJSON() -> String {
        lock.lock()
        let broken = self.broken, diagnostics = self.diagnostics, generation = self.generation
        lock.unlock()
        var w = JSONWriter(pretty: false)
        w.beginObject()
        w.field("broken", broken)
        w.field("generation", generation)
        w.field("diagnostics", diagnostics)
        w.endObject()
        return w.string
    }
}

/// Answers requests from the in-memory site only: nothing outside it can be reached.
struct SiteHandler {
    let store: SiteStore

    func reply(to request: HTTPRequestHead) -> HTTPServer.Reply {
        guard let key = SiteHandler.key(for: request.target) else { return notFound() }
        guard let file = store.file(key) else { return notFound() }
        guard let bytes = content(of: file) else { return notFound() }
        return .content(.ok, contentType: SiteHandler.contentType(key), body: bytes)
    }

    /// The site path for a request path: `..`, `.`, NUL and backslashes are refused; a path
    /// ending in `/` means its `index.html`.
    static func key(for requestPath: String) -> String? {
        var path = requestPath
        if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
        let decoded = path.removingPercentEncoding ?? path
        if decoded.contains("\0") || decoded.contains("\\") { return nil }
        var parts = decoded.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        if parts.contains(where: { $0 == ".." || $0 == "." }) { return nil }
        if parts.isEmpty || parts.last == "" {
            if !parts.isEmpty { parts.removeLast() }
            parts.append("index.html")
        }
        if parts.contains(where: { $0.isEmpty }) { return nil }
        return parts.joined(separator: "/")
    }

    /// A copied file is read only from inside the ADR directory, also if a link was swapped in.
    func content(of file: OutputFile) -> [UInt8]? {
        guard let source = file.copyFrom else { return file.bytes }
        guard let real = Paths.real(source), let root = store.root,
              real.hasPrefix(root.hasSuffix("/") ? root : root + "/") else { return nil }
        return try? file.content()
    }

    func notFound() -> HTTPServer.Reply {
        .content(.notFound, contentType: "text/html; charset=utf-8", body: store.file("404.html")?.bytes ?? Array("Not found\n".utf8))
    }

    static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "xml": return path == "feed.xml" ? "application/atom+xml" : "application/xml"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "ico": return "image/x-icon"
        case "pdf": return "application/pdf"
        case "txt", "md": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
