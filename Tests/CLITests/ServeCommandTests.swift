import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A running `adrsite serve`, started on a free port, stopped at the end of the test.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let directory: String
    private(set) var url = ""
    private(set) var port: UInt16 = 0
    private var outputBuffer = Data()
    private let outputLock = NSLock()
    private let pipe = Pipe()

    /// `shell`, when given, runs first in the shell that then becomes serve (`ulimit -n 64`).
    init(_ arguments: [String], in directory: String, shell: String? = nil) throws {
        self.directory = directory
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", shell + " && exec \"$0\" \"$@\"", Run.binary, "serve", "--port", "0"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Run.binary)
            process.arguments = ["serve", "--port", "0"] + arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.outputLock.lock()
            self.outputBuffer.append(data)
            self.outputLock.unlock()
        }
        try process.run()
        let line = try waitForOutput(containing: "Serving ", timeout: 20)
        guard let range = line.range(of: #"http://[^ ]+/"#, options: .regularExpression) else {
            throw TestFailure("no address in: \(line)")
        }
        url = String(line[range])
        port = UInt16(url.split(separator: ":").last!.dropLast())!
    }

    deinit { stop() }

    /// Ctrl-C; a server still running 10 s later is killed, so a hung server cannot hang the tests.
    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    var output: String {
        outputLock.lock()
        defer { outputLock.unlock() }
        return String(decoding: outputBuffer, as: UTF8.self)
    }

    /// Waits until the output contains `text`; returns the line that holds it.
    @discardableResult
    func waitForOutput(containing text: String, timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = output.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning { throw TestFailure("serve exited: \(output)") }
            usleep(10_000)
        }
        throw TestFailure("timed out waiting for \(text); output:\n\(output)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A minimal HTTP/1.1 client over a socket: the request line goes out exactly as written
/// (also `..` and `%2e%2e`, which URL types would normalise away).
struct RawHTTP {
    var status: Int
    var headers: [String: String]
    var body: String

    static func get(port: UInt16, path: String) throws -> RawHTTP {
        let fd = try connectLocal(port: port)
        defer { close(fd) }
        try send(fd, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no response to \(path): \(text)") }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        let status = Int(head.first?.split(separator: " ")[1] ?? "0") ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return RawHTTP(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    static func connectLocal(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw TestFailure("cannot connect to port \(port)") }
        return fd
    }

    static func send(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw TestFailure("cannot send") }
    }
}

/// The server-sent events of /__adrsite/events, read as they arrive.
final class EventStream {
    let fd: Int32
    private var pending = ""

    init(port: UInt16) throws {
        fd = try RawHTTP.connectLocal(port: port)
        try RawHTTP.send(fd, "GET /__adrsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    }

    deinit { close(fd) }

    /// The data of the next event named `name`, waiting at most `timeout` seconds.
    func next(_ name: String, timeout: Double, where accept: (String) -> Bool = { _ in true }) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            while let end = pending.range(of: "\n\n") {
                let block = String(pending[..<end.lowerBound])
                pending = String(pending[end.upperBound...])
                let lines = block.split(separator: "\n").map(String.init)
                let event = lines.first { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
                let data = lines.filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }.joined(separator: "\n")
                if event == name && accept(data) { return data }
            }
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&poll, 1, 100)
            if ready > 0 {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { throw TestFailure("event stream closed") }
                // Chunked transfer: chunk-size lines are noise around the events; drop them.
                let text = String(decoding: buffer[0..<n], as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
                pending += text.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !($0.count <= 6 && !$0.isEmpty && $0.allSatisfy(\.isHexDigit)) }
                    .joined(separator: "\n")
            }
        }
        throw TestFailure("no \(name) event within \(timeout) s; have: \(pending)")
    }
}

@Suite(.serialized) struct ServeCommandTests {
    static let log = [
        "docs/adr/0001-use-postgres.md": "# 1. Use Postgres\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nThe first version.\n",
        "docs/adr/0002-use-redis.md": "# 2. Use Redis\n\nDate: 2024-02-01\n\n## Status\n\nProposed\n\n## Context\n\nCaches next to [ADR-0001](0001-use-postgres.md).\n",
    ]

    @Test func `serve builds in memory, then an edit reaches open pages as a reload event and the new page`() throws {
        let dir = try makeFolder(Self.log)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServeProcess(["docs/adr"], in: dir)
        defer { server.stop() }
        #expect(!FileManager.default.fileExists(atPath: dir + "/_site"))   // nothing written

        let index = try RawHTTP.get(port: server.port, path: "/")
        #expect(index.status == 200)
        #expect(index.headers["content-type"] == "text/html; charset=utf-8")
        #expect(index.body.contains("Use Postgres") && index.body.contains("/__adrsite/events"))
        let page = try RawHTTP.get(port: server.port, path: "/0001-use-postgres.html")
        #expect(page.body.contains("The first version."))

        let events = try EventStream(port: server.port)
        _ = try events.next("state", timeout: 5)
        let started = Date()
        try "# 1. Use Postgres\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nThe second version.\n"
            .write(toFile: dir + "/docs/adr/0001-use-postgres.md", atomically: true, encoding: .utf8)
        _ = try events.next("reload", timeout: 5)
        let elapsed = Date().timeIntervalSince(started)
        let updated = try RawHTTP.get(port: server.port, path: "/0001-use-postgres.html")
        #expect(updated.body.contains("The second version."))
        #expect(!updated.body.contains("The first version."))
        #expect(elapsed < 5)
        try server.waitForOutput(containing: "1 file read", timeout: 5)
    }

    @Test func `a change that breaks the build keeps the last good site and shows the diagnostics until it is fixed`() throws {
        var files = Self.log
        files["theme/badge.mustache"] = #"<span class="badge badge-{{statusCategory}}">{{status}}</span>"#
        let dir = try makeFolder(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServeProcess(["docs/adr", "--templates", "theme"], in: dir)
        defer { server.stop() }
        let events = try EventStream(port: server.port)
        _ = try events.next("state", timeout: 5)

        // A broken template: the build fails, the last good pages stay, the diagnostic says where.
        try "line one\n<span>{{#status}}</span>\n".write(toFile: dir + "/theme/badge.mustache", atomically: true, encoding: .utf8)
        let broken = try events.next("state", timeout: 5) { $0.contains("\"broken\":true") }
        #expect(broken.contains(#"theme/badge.mustache:2:7: error: section 'status' is never closed (no {{/status}})"#))
        let page = try RawHTTP.get(port: server.port, path: "/0002-use-redis.html")
        #expect(page.status == 200 && page.body.contains("Caches next to"))
        try server.waitForOutput(containing: "the last good site is still served", timeout: 5)

        // An ADR with invalid front matter: the site builds, the warning is shown with its place.
        try "---\nstatus: [oops\n---\n# 2. Use Redis\n\n## Context\n\nStill caches.\n"
            .write(toFile: dir + "/docs/adr/0002-use-redis.md", atomically: true, encoding: .utf8)
        try "<span class=\"badge\">{{status}}</span>".write(toFile: dir + "/theme/badge.mustache", atomically: true, encoding: .utf8)
        let warned = try events.next("state", timeout: 5) { $0.contains("\"broken\":false") && $0.contains("0002-use-redis.md:") }
        #expect(warned.contains("docs/adr/0002-use-redis.md:2:9: warning: front matter is not valid YAML (while parsing a flow sequence"))

        // Fixed: the overlay's list is empty again and the page reloads with the fix.
        try "# 2. Use Redis\n\n## Status\n\nAccepted\n\n## Context\n\nFixed.\n"
            .write(toFile: dir + "/docs/adr/0002-use-redis.md", atomically: true, encoding: .utf8)
        let clean = try events.next("state", timeout: 5) { $0.contains("\"diagnostics\":[]") }
        #expect(clean.contains("\"broken\":false"))
        _ = try events.next("reload", timeout: 5)
        #expect(try RawHTTP.get(port: server.port, path: "/0002-use-redis.html").body.contains("Fixed."))
    }

    @Test func `only files of the built site are served: traversal, encoded traversal and links out answer 404`() throws {
        let dir = try makeFolder(Self.log.merging(["secret.txt": "top secret\n"]) { a, _ in a })
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/docs/adr/leak.png", withDestinationPath: dir + "/secret.txt")
        try FileManager.default.createSymbolicLink(atPath: dir + "/docs/adr/passwd.md", withDestinationPath: "/etc/passwd")
        let server = try ServeProcess(["docs/adr"], in: dir)
        defer { server.stop() }
        for path in ["/../secret.txt", "/../../../../etc/passwd", "/%2e%2e/secret.txt", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                     "/..%2fsecret.txt", "/index.html/../../secret.txt", "//etc/passwd", "/docs/adr/0001-use-postgres.md",
                     "/leak.png", "/passwd.html", "/.adrsite-output", "/nope.html", "/%00index.html", "/..\\secret.txt"] {
            let response = try RawHTTP.get(port: server.port, path: path)
            #expect(response.status == 404, "\(path) answered \(response.status)")
            #expect(!response.body.contains("top secret") && !response.body.contains("root:"), "\(path)")
            #expect(response.body.contains("<h1>Not found</h1>"), "\(path) did not get the site's 404 page")
        }
        #expect(try RawHTTP.get(port: server.port, path: "/index.html").status == 200)
        #expect(try RawHTTP.get(port: server.port, path: "/assets/style.css").headers["content-type"] == "text/css; charset=utf-8")
        #expect(try RawHTTP.get(port: server.port, path: "/assets/site.js").headers["content-type"] == "text/javascript; charset=utf-8")
        #expect(try RawHTTP.get(port: server.port, path: "/badges/0001-use-postgres.svg").headers["content-type"] == "image/svg+xml")
        #expect(try RawHTTP.get(port: server.port, path: "/decisions.json").headers["content-type"] == "application/json")
        #expect(try RawHTTP.get(port: server.port, path: "/feed.xml").headers["content-type"] == "application/atom+xml")
    }

    @Test func `a port in use gives a clear message and a hint, not a stack trace`() throws {
        let dir = try makeFolder(Self.log)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Hold a port.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 1)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = UInt16(bigEndian: bound.sin_port)

        let run = try Run.adrsite(["serve", "docs/adr", "--port", String(port)], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr == "error: port \(port) on 127.0.0.1 is already in use (is another adrsite serve running?); stop it, or choose another port: adrsite serve --port \(port + 1)\n")
    }

    @Test func `the reload script is added only while serving, never to build output`() throws {
        let dir = try makeFolder(Self.log)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Run.adrsite(["build", "docs/adr", "-o", "out"], in: dir).status == 0)
        let names = FileManager.default.enumerator(atPath: dir + "/out")!.compactMap { $0 as? String }
        for name in names where name.hasSuffix(".html") {
            let text = try String(contentsOfFile: dir + "/out/" + name, encoding: .utf8)
            #expect(!text.contains("__adrsite") && !text.contains("EventSource"), "\(name)")
        }
    }
}

@Suite(.serialized) struct ServeIncrementalTests {
    /// After edits that ripple through the log (a retitled decision others link to, a new
    /// supersession, a removed file), every file served equals a fresh build of the same files.
    @Test func `after edits, the served site equals a fresh build`() throws {
        var files: [String: String] = [:]
        for n in 1...12 {
            let id = String(format: "%04d", n)
            let link = n > 1 ? "See [ADR-\(String(format: "%04d", n - 1))](\(String(format: "%04d", n - 1))-d.md)." : "First."
            files["adr/\(id)-d.md"] = "# \(n). Decision \(n)\n\nDate: 2024-01-\(String(format: "%02d", n))\n\n## Status\n\nAccepted\n\n## Context\n\n\(link)\n\n## Follow-Up Actions\n\n1. Do a thing.\n"
        }
        let dir = try makeFolder(files)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServeProcess(["adr"], in: dir)
        defer { server.stop() }
        let events = try EventStream(port: server.port)
        _ = try events.next("state", timeout: 5)

        func edit(_ name: String, _ text: String?) throws {
            let path = dir + "/adr/" + name
            if let text { try text.write(toFile: path, atomically: true, encoding: .utf8) }
            else { try FileManager.default.removeItem(atPath: path) }
            _ = try events.next("reload", timeout: 5)
        }
        try edit("0005-d.md", "# 5. A new title for five\n\nDate: 2024-01-05\n\n## Status\n\nAccepted\n\n## Context\n\nSee [ADR-0004](0004-d.md).\n")
        try edit("0007-d.md", "# 7. Decision 7\n\nDate: 2024-01-07\n\n## Status\n\nSuperseded by [ADR-0009](0009-d.md)\n")
        try edit("0009-d.md", "# 9. Decision 9\n\nDate: 2024-01-09\n\n## Status\n\nAccepted\n\nSupersedes [ADR-0007](0007-d.md)\n\n## Context\n\nThis addresses follow-up 1 of [ADR-0003](0003-d.md).\n")
        try edit("0012-d.md", nil)

        let run = try Run.adrsite(["build", "adr", "-o", "fresh"], in: dir)
        #expect(run.status == 0)
        let fresh = FileManager.default.enumerator(atPath: dir + "/fresh")!.compactMap { $0 as? String }
            .filter { !$0.hasPrefix(".") && ($0.hasSuffix(".html") || $0.hasSuffix(".json") || $0.hasSuffix(".svg") || $0.hasSuffix(".xml")) }
        #expect(fresh.count > 25)
        for path in fresh.sorted() {
            let expected = try String(contentsOfFile: dir + "/fresh/" + path, encoding: .utf8)
            var served = try RawHTTP.get(port: server.port, path: "/" + path).body
            // The only difference allowed: the reload script serve adds to pages.
            if let start = served.range(of: "<script>\n(function () {\n  'use strict';\n  var box = null;"),
               let end = served.range(of: "</script>", range: start.upperBound..<served.endIndex) {
                served.removeSubrange(start.lowerBound..<end.upperBound)
            }
            #expect(served == expected, "\(path) differs from a fresh build")
        }
        #expect(try RawHTTP.get(port: server.port, path: "/0012-d.html").status == 404)
    }
}
