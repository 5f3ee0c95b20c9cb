import ADRCore
import ADRSite
import FlyingFox
import FlyingSocks
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

    /// Builds, starts listening and returns the address; then `run()` serves until cancelled.
    public func start() async throws -> String {
        rebuild(initial: true)
        let address: any SocketAddress
        do {
            address = try sockaddr_in.inet(ip4: settings.host, port: settings.port)
        } catch {
            address = try sockaddr_in6.inet6(ip6: settings.host, port: settings.port)
        }
        if let problem = PreviewServer.bindProblem(host: settings.host, port: settings.port) { throw problem }
        // The timeout bounds a handler's work before its response starts (the event stream is
        // sent after), and ours answer from memory at once. It must be short: FlyingFox races
        // each request against a Task.sleep of this length, and on Linux a cancelled sleep keeps
        // its timer (about 750 bytes) until its deadline, so an hour meant memory growing with
        // every request for an hour (swhitty/FlyingFox#193 reports growth of this kind).
        let server = HTTPServer(address: address, timeout: 5, logger: .disabled)
        await server.appendRoute("GET,HEAD /__adrsite/events") { [hub] _ in
            HTTPResponse(statusCode: .ok,
                         headers: [.contentType: "text/event-stream", .init("Cache-Control"): "no-store"],
                         body: HTTPBodySequence(from: EventBytes(stream: hub.connect())))
        }
        await server.appendRoute("GET,HEAD *", to: SiteHandler(store: store))
        self.server = server
        let task = Task { try await server.run() }
        self.task = task
        do {
            try await server.waitUntilListening(timeout: 10)
        } catch {
            task.cancel()
            throw Failure.cannotListen("\(error)")
        }
        var port = settings.port
        switch await server.listeningAddress {
        case .ip4(_, let p)?, .ip6(_, let p)?: port = p
        default: break
        }
        PreviewServer.disableNagle(listeningOn: port)
        return "http://\(settings.host.contains(":") ? "[\(settings.host)]" : settings.host):\(port)/"
    }

    private var task: Task<Void, Error>?

    /// FlyingFox writes a response's header and body in two writes: with Nagle's algorithm on,
    /// the body waits for the client's delayed acknowledgement of the header, 40 ms per request
    /// on a kept-alive connection (about 360 requests a second, whatever the page). FlyingFox
    /// does not hand out its listening socket, so it is found among the process's descriptors
    /// (the one listening on `port`) and given TCP_NODELAY, which Linux passes on to every
    /// connection it accepts.
    static func disableNagle(listeningOn port: UInt16) {
        #if os(Linux)
        for fd in Int32(3)..<Int32(1024) {
            var listening: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening != 0 else { continue }
            var address = sockaddr_storage()
            var addressLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &addressLength) }
            }
            guard named == 0 else { continue }
            let boundPort: UInt16
            switch Int32(address.ss_family) {
            case AF_INET:
                boundPort = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) } }
            case AF_INET6:
                boundPort = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) } }
            default:
                continue
            }
            guard boundPort == port else { continue }
            var on: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        #endif
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
        await server?.stop(timeout: 1)
        task?.cancel()
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

    /// Tries to bind the address, to say clearly when the port is taken.
    static func bindProblem(host: String, port: UInt16) -> Failure? {
        guard port != 0 else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return nil }
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 && errno == EADDRINUSE { return .portInUse(host: host, port: port) }
        return nil
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
struct SiteHandler: HTTPHandler {
    let store: SiteStore

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let key = SiteHandler.key(for: request.path) else { return notFound() }
        guard let file = store.file(key) else { return notFound() }
        guard let bytes = content(of: file) else { return notFound() }
        return HTTPResponse(statusCode: .ok,
                            headers: [.contentType: SiteHandler.contentType(key), .init("Cache-Control"): "no-store"],
                            body: request.method == .HEAD ? Data() : Data(bytes))
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

    func notFound() -> HTTPResponse {
        let page = store.file("404.html")?.bytes ?? Array("Not found\n".utf8)
        return HTTPResponse(statusCode: .notFound,
                            headers: [.contentType: "text/html; charset=utf-8", .init("Cache-Control"): "no-store"],
                            body: Data(page))
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
