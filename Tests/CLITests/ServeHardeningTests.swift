import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `adrsite serve` against clients that misbehave on purpose: heads that are too long or never
/// end, connections held open, event streams opened and dropped, more connections than the
/// process has file descriptors. Every socket call of the test has a deadline, so a server
/// that stops answering fails the test instead of hanging it.
@Suite struct ServeHardeningTests {
    static let log = ServeCommandTests.log
    static let page = "/0001-use-postgres.html"

    /// A served copy of the two-record log; `shell` runs before serve starts (`ulimit -n 64`).
    static func serve(shell: String? = nil) throws -> (ServeProcess, String) {
        let dir = try makeFolder(log)
        return (try ServeProcess(["docs/adr"], in: dir, shell: shell), dir)
    }

    /// A well-behaved GET, timed: the other clients must not slow it down.
    static func timedGet(_ port: UInt16, _ path: String = "/") throws -> (status: Int, seconds: Double) {
        let start = Date()
        let response = try RawHTTP.get(port: port, path: path)
        return (response.status, Date().timeIntervalSince(start))
    }

    /// `count` page views that each keep their connection open after the answer.
    static func holdPageViews(_ count: Int, _ server: ServeProcess) throws -> [HostileClient] {
        var held: [HostileClient] = []
        for view in 0..<count {
            let client = try HostileClient(port: server.port)
            client.send("GET \(page) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            guard client.response(timeout: 5)?.status == 200 else {
                Issue.record("page view \(view) got no answer; output:\n\(server.output)")
                break
            }
            held.append(client)
        }
        return held
    }

    @Test(.timeLimit(.minutes(1)))
    func `a request head over 32 KB is answered 431 at once, and the clients sending them hold up no one`() throws {
        let (server, dir) = try Self.serve()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        // One 256 KB header and two of 1 MB, sent at the same time from three threads.
        let sizes = [256 * 1024, 1024 * 1024, 1024 * 1024]
        let answers = Locked([Int](repeating: 0, count: sizes.count))
        let group = DispatchGroup()
        for (i, size) in sizes.enumerated() {
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                guard let client = try? HostileClient(port: server.port) else { return }
                client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + String(repeating: "a", count: size) + "\r\n\r\n")
                let status = client.response(timeout: 10)?.status ?? -1
                answers.value[i] = status
            }
        }
        for _ in 0..<20 {
            let get = try Self.timedGet(server.port)
            #expect(get.status == 200)
            #expect(get.seconds < 1, "a normal request waited \(get.seconds) s")
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        #expect(answers.value == [431, 431, 431])

        // A head that never ends is refused as soon as it passes the limit.
        let endless = try HostileClient(port: server.port)
        endless.send("GET / HTTP/1.1\r\n" + String(repeating: "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaa\r\n", count: 1200))
        #expect(endless.response(timeout: 5)?.status == 431)
        #expect(try Self.timedGet(server.port).status == 200)
    }

    @Test(.timeLimit(.minutes(1)))
    func `a head still unfinished after 10 s is answered 408 and closed, while other clients are served`() throws {
        let (server, dir) = try Self.serve()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let slow = try HostileClient(port: server.port)
        slow.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        let started = Date()
        // Meanwhile a client pipelines 2,000 requests and reads none of the answers.
        let greedy = try HostileClient(port: server.port)
        greedy.send(String(repeating: "GET \(Self.page) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", count: 2000))

        var answer: HostileClient.Response?
        while answer == nil && Date().timeIntervalSince(started) < 15 {
            slow.send("X-Slow: one header a second\r\n")
            let get = try Self.timedGet(server.port, Self.page)
            #expect(get.status == 200)
            #expect(get.seconds < 1, "a normal request waited \(get.seconds) s")
            answer = slow.response(timeout: 1)
        }
        let waited = Date().timeIntervalSince(started)
        #expect(answer?.status == 408)
        #expect(waited > 9 && waited < 13, "408 came after \(waited) s")
        #expect(slow.waitForClose(timeout: 5) != nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func `a connection that sends no request for 5 s is closed, kept alive or new`() throws {
        let (server, dir) = try Self.serve()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let kept = try HostileClient(port: server.port)
        kept.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(kept.response(timeout: 5)?.status == 200)
        let silent = try HostileClient(port: server.port)
        let keptWait = kept.waitForClose(timeout: 12)
        #expect(keptWait.map { $0 > 4 && $0 < 8 } == true, "closed after \(String(describing: keptWait)) s")
        #expect(silent.waitForClose(timeout: 5) != nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func `an event stream the client closed is released at once, and an open one gets a heartbeat every 10 s`() throws {
        let (server, dir) = try Self.serve()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let pid = server.process.processIdentifier
        let before = openSockets(pid)
        for _ in 0..<100 {
            let stream = try HostileClient(port: server.port)
            stream.send("GET /__adrsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            #expect(stream.read(until: "event: state", timeout: 5))
            stream.close()
        }
        let released = Date().addingTimeInterval(2)
        while openSockets(pid) > before && Date() < released { usleep(20_000) }
        #expect(openSockets(pid) <= before, "\(openSockets(pid)) sockets open, \(before) before 100 streams were opened and closed")

        let open = try HostileClient(port: server.port)
        open.send("GET /__adrsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(open.read(until: "event: state", timeout: 5))
        let start = Date()
        #expect(open.read(until: ": ping", timeout: 15))
        #expect(Date().timeIntervalSince(start) > 8)
    }

    @Test(.timeLimit(.minutes(2)))
    func `at the file descriptor limit serve closes the quietest connection, says so and goes on serving`() throws {
        let (server, dir) = try Self.serve(shell: "ulimit -n 64")
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        // 300 page views that each keep their connection, and 50 event streams, all held open:
        // several times what 64 descriptors allow.
        var held = try Self.holdPageViews(300, server)
        for _ in 0..<50 {
            let stream = try HostileClient(port: server.port)
            stream.send("GET /__adrsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(stream.read(until: "retry:", timeout: 5))
            held.append(stream)
        }
        #expect(try Self.timedGet(server.port).status == 200)
        #expect(server.output.contains("warning: serve: "), "\(server.output)")
        for client in held { client.close() }
        #expect(try Self.timedGet(server.port, Self.page).status == 200)
        #expect(server.process.isRunning)
    }

    @Test(.timeLimit(.minutes(2)))
    func `at the file descriptor limit the preview's quiet event stream is closed last and still gets its reload`() throws {
        let (server, dir) = try Self.serve(shell: "ulimit -n 64")
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let events = try HostileClient(port: server.port)
        events.send("GET /__adrsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(events.read(until: "event: state", timeout: 5))
        sleep(1)   // the stream is now quieter than every connection opened below
        let held = try Self.holdPageViews(200, server)
        #expect(server.output.contains("the most allowed"), "\(server.output)")
        try "# 1. Use Postgres\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n## Context\n\nRewritten.\n"
            .write(toFile: dir + "/docs/adr/0001-use-postgres.md", atomically: true, encoding: .utf8)
        #expect(events.read(until: "event: reload", timeout: 10), "\(server.output)")
        #expect(held.count == 200)   // every page view was answered, and all are still held
    }

    @Test(.timeLimit(.minutes(1)))
    func `serve raises its soft file descriptor limit to the hard limit`() throws {
        var hard = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &hard)
        let expected = min(hard.rlim_max, 65536)
        try #require(expected > 64, "the hard limit here is \(hard.rlim_max)")
        let (server, dir) = try Self.serve(shell: "ulimit -S -n 64")
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let limits = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/limits", encoding: .utf8)
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") } ?? ""
        #expect(line.split(separator: " ").dropFirst(3).first == "\(expected)", "\(line)")
    }

    @Test(.timeLimit(.minutes(1)))
    func `HEAD answers the Content-Length GET would send, and no body`() throws {
        let (server, dir) = try Self.serve()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        for path in ["/", Self.page, "/assets/style.css", "/decisions.json", "/badges/0001-use-postgres.svg", "/nope.html"] {
            // HEAD then GET on one connection: a body after the HEAD answer would be read as the
            // GET's answer and fail to parse.
            let client = try HostileClient(port: server.port)
            client.send("HEAD \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let head = client.response(timeout: 5, bodiless: true)
            let get = client.response(timeout: 5)
            #expect(head != nil && get != nil, "\(path)")
            #expect(head?.status == get?.status, "\(path)")
            #expect((get?.body.count ?? 0) > 0, "\(path)")
            #expect(head?.headers["content-length"] == get.map { String($0.body.count) }, "\(path)")
            #expect(head?.headers["content-type"] == get?.headers["content-type"], "\(path)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func `requests the preview does not serve are answered with their status and the connection closed`() throws {
        let (server, dir) = try Self.serve()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let cases = [
            ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello", 405),
            ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 413),
            ("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: x\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\n\r\n", 505),
            ("GET /index.html extra HTTP/1.1\r\n\r\n", 400),
            ("GET http://example.com/ HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n", 400),
        ]
        for (request, status) in cases {
            let client = try HostileClient(port: server.port)
            client.send(request)
            let answer = client.response(timeout: 5)
            #expect(answer?.status == status, "\(request.debugDescription)")
            #expect(answer?.headers["connection"] == "close", "\(request.debugDescription)")
            #expect(client.waitForClose(timeout: 5) != nil, "\(request.debugDescription)")
        }
        // Pipelined requests are answered in order on one connection; HTTP/1.0 keeps it only when asked.
        let pipelined = try HostileClient(port: server.port)
        pipelined.send("GET /nope HTTP/1.1\r\nHost: a\r\n\r\nGET \(Self.page) HTTP/1.1\r\nHost: a\r\n\r\n"
                       + "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n")
        #expect(pipelined.response(timeout: 5)?.status == 404)
        #expect(pipelined.response(timeout: 5).map { String(decoding: $0.body, as: UTF8.self).contains("The first version.") } == true)
        #expect(pipelined.response(timeout: 5)?.headers["connection"] == "keep-alive")
        #expect(pipelined.response(timeout: 5)?.headers["connection"] == "close")
        #expect(pipelined.waitForClose(timeout: 5) != nil)
    }
}

/// How many sockets process `pid` has open (not all descriptors: the runtime opens timers and
/// the watcher its inotify descriptor as it goes).
func openSockets(_ pid: Int32) -> Int {
    let fds = "/proc/\(pid)/fd"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? []
    return names.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + $0))?.hasPrefix("socket:") == true }.count
}

/// A client that does exactly what the test says, also what no browser would: every read waits
/// at most the time given, and a write to a connection the server closed fails quietly.
final class HostileClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
    }

    private var fd: Int32
    private var received: [UInt8] = []

    init(port: UInt16) throws {
        fd = try RawHTTP.connectLocal(port: port)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends all of `text`; false when the server closed the connection or stopped reading.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Reads what arrives within `deadline`; false when the connection closed or time ran out.
    private func fill(until deadline: Date) -> Bool {
        let left = deadline.timeIntervalSinceNow
        guard left > 0 else { return false }
        var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, Int32(left * 1000) + 1) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { return false }
        received += buffer[0..<n]
        return true
    }

    /// The next response; `bodiless` for the answer to HEAD. Nil when none came within `timeout`.
    func response(timeout: Double, bodiless: Bool = false) -> Response? {
        let deadline = Date().addingTimeInterval(timeout)
        let blank: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            end = received.indices.dropLast(3).first { Array(received[$0..<$0 + 4]) == blank }.map { $0 + 4 }
            if end == nil && !fill(until: deadline) { return nil }
        }
        let head = String(decoding: received[..<end!], as: UTF8.self).split(separator: "\r\n")
        guard let first = head.first, first.hasPrefix("HTTP/1."), let status = Int(first.split(separator: " ")[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let length = bodiless ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while received.count < end! + length {
            if !fill(until: deadline) { return nil }
        }
        let body = Array(received[end!..<end! + length])
        received.removeFirst(end! + length)
        return Response(status: status, headers: headers, body: body)
    }

    /// Reads until `text` has arrived; false when it did not within `timeout`.
    func read(until text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !String(decoding: received, as: UTF8.self).contains(text) {
            if !fill(until: deadline) { return false }
        }
        received = []
        return true
    }

    /// Reads until the server closes the connection; the seconds that took, or nil after `timeout`.
    func waitForClose(timeout: Double) -> Double? {
        let start = Date()
        let deadline = start.addingTimeInterval(timeout)
        while Date() < deadline {
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, Int32(deadline.timeIntervalSinceNow * 1000) + 1) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            if recv(fd, &buffer, buffer.count, 0) <= 0 { return Date().timeIntervalSince(start) }
        }
        return nil
    }
}
