import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The preview's HTTP/1.1 server (site/0019). One thread polls the listening socket and every
/// connection, never blocks on a client, and answers from memory, so a client that sends
/// slowly, sends too much or reads nothing costs only its own connection. Every wait has a
/// limit; when file descriptors run out, the connection quiet the longest is closed (event
/// streams last) and the server goes on accepting.
final class HTTPServer: @unchecked Sendable {
    struct Limits: Sendable {
        /// A request line and header fields longer than this are answered 431.
        var headBytes = 32 * 1024
        /// From a request's first byte to the end of its head; then 408.
        var requestSeconds = 10.0
        /// A kept-alive connection waiting for its next request is closed after this.
        var idleSeconds = 5.0
        /// A client that takes none of a pending response or event for this long is dropped.
        var writeSeconds = 30.0
        /// An event stream gets a comment this often, so a client that vanished is found.
        var heartbeatSeconds = 10.0
        /// Events waiting for a stream client that reads nothing; beyond this it is dropped.
        var streamBacklog = 1 << 20
        /// How long a closing connection's late bytes are read and dropped.
        var lingerSeconds = 2.0
        /// Connections open at once; the next one closes the one quiet the longest.
        var maxConnections = 1024
    }

    /// What the handler answers.
    enum Reply: Sendable {
        case content(HTTPStatus, contentType: String, body: [UInt8])
        /// A stream of server-sent events, starting with `first`; `broadcast` sends the rest.
        case eventStream(first: [UInt8])
    }

    enum ListenError: Error {
        case addressInUse
        case failed(String)
    }

    let limits: Limits
    private let handler: @Sendable (HTTPRequestHead) -> Reply
    private let log: @Sendable (String) -> Void

    // Shared with other threads, under `lock`.
    private let lock = NSLock()
    private var pendingEvents: [[UInt8]] = []
    private var stopRequested = false
    private var started = false
    private let finished = DispatchSemaphore(value: 0)

    // The loop thread's own.
    private var listener: Int32 = -1
    private var wake: [Int32] = [-1, -1]
    private var connections: [Int32: HTTPConnection] = [:]
    private var acceptPausedUntil = 0.0
    private var warned: [String: (at: Double, repeats: Int)] = [:]
    private var dateSecond = 0
    private var dateText = ""

    init(limits: Limits, handler: @escaping @Sendable (HTTPRequestHead) -> Reply,
         log: @escaping @Sendable (String) -> Void) {
        self.limits = limits
        self.handler = handler
        self.log = log
    }

    /// Binds and listens, starts the loop thread and returns the port listened on.
    func start(host: String, port: UInt16) throws -> UInt16 {
        let (fd, bound) = try HTTPServer.listen(host: host, port: port)
        listener = fd
        guard pipe(&wake) == 0 else {
            close(fd)
            throw ListenError.failed(String(cString: strerror(errno)))
        }
        wake.forEach(HTTPServer.makeNonBlocking)
        lock.lock()
        started = true
        lock.unlock()
        let thread = Thread { [self] in run() }
        thread.name = "adrsite-http"
        thread.start()
        return bound
    }

    /// Sends `bytes` to every event stream (from any thread).
    func broadcast(_ bytes: [UInt8]) {
        lock.lock()
        pendingEvents.append(bytes)
        lock.unlock()
        poke()
    }

    /// Closes every connection and the listening socket, and waits for the loop to end.
    func stop() {
        lock.lock()
        let wasRunning = started && !stopRequested
        stopRequested = true
        lock.unlock()
        guard wasRunning else { return }
        poke()
        finished.wait()
    }

    private func poke() {
        var byte: UInt8 = 1
        _ = Glibc.write(wake[1], &byte, 1)
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    // MARK: - The loop

    private func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        defer {
            buffer.deallocate()
            for c in connections.values { c.close() }
            connections = [:]
            close(listener)
            close(wake[0])
            close(wake[1])
            finished.signal()
        }
        var fds: [pollfd] = []
        var polled: [HTTPConnection] = []
        while true {
            var now = HTTPServer.now()
            let next = expire(now)
            lock.lock()
            let stopping = stopRequested
            lock.unlock()
            if stopping { return }

            fds.removeAll(keepingCapacity: true)
            polled.removeAll(keepingCapacity: true)
            let accepting = now >= acceptPausedUntil
            fds.append(pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: listener, events: accepting ? Int16(POLLIN) : 0, revents: 0))
            for c in connections.values {
                fds.append(pollfd(fd: c.fd, events: c.events, revents: 0))
                polled.append(c)
            }
            let wait = min(next, accepting ? next : acceptPausedUntil) - now
            let ready = poll(&fds, nfds_t(fds.count), Int32((min(max(wait, 0), 1) * 1000).rounded(.up)))
            if ready < 0 {
                if errno != EINTR {
                    warn("poll", "poll failed: \(String(cString: strerror(errno))); trying again")
                    usleep(10_000)
                }
                continue
            }
            now = HTTPServer.now()
            if fds[0].revents != 0 { deliverEvents(now) }
            for (i, c) in polled.enumerated() where !c.isClosed && fds[i + 2].revents != 0 {
                service(c, revents: fds[i + 2].revents, now: now, buffer: buffer)
            }
            if fds[1].revents != 0 { acceptConnections(now) }
        }
    }

    /// Reads, answers and writes what a connection is ready for.
    private func service(_ c: HTTPConnection, revents: Int16, now: Double, buffer: UnsafeMutableRawBufferPointer) {
        if revents & Int16(POLLNVAL | POLLERR) != 0 { return drop(c) }
        if revents & Int16(POLLIN | POLLHUP) != 0 {
            if case .closed = c.read(into: buffer, now: now) {
                // A client may close its side right after a request and still read the answer.
                guard c.peerClosed, c.phase == .requests, !c.inbox.isEmpty || c.pendingBytes > 0 else { return drop(c) }
            }
        }
        if revents & Int16(POLLOUT) != 0 { write(c, now: now) }
        answer(c, now: now)
    }

    /// Answers the requests in the inbox, one at a time: the next waits until the last is sent.
    private func answer(_ c: HTTPConnection, now: Double) {
        while !c.isClosed, c.phase == .requests, c.pendingBytes == 0, !c.inbox.isEmpty {
            switch HTTPMessage.parse(c.inbox, limit: limits.headBytes, scanned: &c.scanned) {
            case .incomplete:
                if c.peerClosed { drop(c) }
                return
            case .refuse(let status):
                return refuse(c, status, now: now)
            case .request(let head, let length):
                c.consume(length, now: now)
                respond(c, to: head, now: now)
            }
        }
        if !c.isClosed, c.peerClosed, c.phase == .requests, c.pendingBytes == 0 { drop(c) }
    }

    private func respond(_ c: HTTPConnection, to request: HTTPRequestHead, now: Double) {
        switch handler(request) {
        case .content(let status, let contentType, let body):
            let close = !request.keepAlive || c.peerClosed
            // HEAD gets the head GET would get, Content-Length included, and no body.
            let connection = close ? "close" : request.isHTTP10 ? "keep-alive" : nil
            c.enqueue(HTTPMessage.head(status, headers: [("Content-Type", contentType), ("Cache-Control", "no-store")],
                                       contentLength: body.count, connection: connection, date: date()), now: now)
            if !request.isHead { c.enqueue(body, now: now) }
            c.closeWhenSent = close
        case .eventStream(let first):
            c.phase = .stream
            c.inbox = []
            c.enqueue(HTTPMessage.head(.ok, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-store")],
                                       contentLength: nil, connection: "close", date: date()), now: now)
            if request.isHead { c.closeWhenSent = true } else { c.enqueue(first, now: now) }
        }
        write(c, now: now)
    }

    /// Answers `status` with a short text and closes the connection.
    private func refuse(_ c: HTTPConnection, _ status: HTTPStatus, now: Double) {
        var headers = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")]
        if status == .methodNotAllowed { headers.append(("Allow", "GET, HEAD")) }
        let body = Array("\(status.rawValue) \(status.reason)\n".utf8)
        c.inbox = []
        c.requestStarted = nil
        c.enqueue(HTTPMessage.head(status, headers: headers, contentLength: body.count, connection: "close", date: date()), now: now)
        c.enqueue(body, now: now)
        c.closeWhenSent = true
        write(c, now: now)
    }

    private func write(_ c: HTTPConnection, now: Double) {
        switch c.flush(now: now) {
        case .failed:
            drop(c)
        case .pending:
            break
        case .sent:
            if c.closeWhenSent {
                if c.peerClosed { drop(c) } else { c.shutdownWrite(now: now, linger: limits.lingerSeconds) }
            } else if c.phase == .requests {
                c.idleSince = now
            }
        }
    }

    private func drop(_ c: HTTPConnection) {
        connections[c.fd] = nil
        c.close()
    }

    /// Hands broadcast events to every event stream.
    private func deliverEvents(_ now: Double) {
        var scratch = [UInt8](repeating: 0, count: 512)
        while Glibc.read(wake[0], &scratch, scratch.count) > 0 {}
        lock.lock()
        let events = pendingEvents
        pendingEvents = []
        lock.unlock()
        guard !events.isEmpty else { return }
        for c in connections.values where c.phase == .stream {
            for event in events { c.enqueue(event, now: now) }
            if c.pendingBytes > limits.streamBacklog { drop(c) } else { write(c, now: now) }
        }
    }

    /// Enforces every time limit; returns when the next one falls due.
    private func expire(_ now: Double) -> Double {
        var next = now + 60
        for c in Array(connections.values) {
            let due: Double
            switch c.phase {
            case .closing(let until):
                due = until
            case .stream:
                if c.pendingBytes == 0 && now - c.lastWrite >= limits.heartbeatSeconds {
                    c.enqueue(Array(": ping\n\n".utf8), now: now)
                    write(c, now: now)
                }
                due = c.lastWrite + (c.pendingBytes == 0 ? limits.heartbeatSeconds : limits.writeSeconds)
            case .requests:
                if c.pendingBytes > 0 {
                    due = c.lastWrite + limits.writeSeconds
                } else if let started = c.requestStarted {
                    if now - started >= limits.requestSeconds {
                        refuse(c, .requestTimeout, now: now)
                        continue
                    }
                    due = started + limits.requestSeconds
                } else {
                    due = c.idleSince + limits.idleSeconds
                }
            }
            if c.isClosed { continue }
            if now >= due { drop(c) } else { next = min(next, due) }
        }
        return next
    }

    // MARK: - Accepting

    private func acceptConnections(_ now: Double) {
        for _ in 0..<64 {
            let fd = accept(listener, nil, nil)
            if fd >= 0 {
                // Room is made only for a client that is there (the cap keeps descriptors spare
                // for this one), never for one that may come.
                if connections.count >= limits.maxConnections {
                    warn("connections", "\(connections.count) connections open, the most allowed; closing the one quiet the longest")
                    closeQuietest()
                }
                HTTPServer.makeNonBlocking(fd)
                var on: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                connections[fd] = HTTPConnection(fd: fd, now: now)
                continue
            }
            let error = errno
            if error == EAGAIN || error == EWOULDBLOCK { return }
            // This client's connection failed; the next one may not (accept(2), "Error handling").
            if [EINTR, ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH,
                EOPNOTSUPP, ENETUNREACH, EPERM].contains(error) { continue }
            let reason = String(cString: strerror(error))
            if [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error) && closeQuietest() {
                warn("descriptors", "cannot accept a connection (\(reason)) with \(connections.count + 1) open; "
                     + "closed the one quiet the longest")
                continue
            }
            // Never stop listening: wait a moment and try again.
            warn("accept", "cannot accept a connection (\(reason)); trying again in 0.1 s")
            acceptPausedUntil = now + 0.1
            return
        }
    }

    /// Closes a connection to make room for a new one: the one quiet the longest, but an event
    /// stream only when every connection is one. A live-reload stream is quiet by nature and is
    /// what the person previewing waits on; a kept-alive connection between requests costs its
    /// client only a reconnect.
    @discardableResult
    private func closeQuietest() -> Bool {
        func rank(_ c: HTTPConnection) -> Int { c.phase == .stream ? 1 : 0 }
        guard let victim = connections.values.min(by: {
            (rank($0), $0.lastActivity) < (rank($1), $1.lastActivity)
        }) else { return false }
        drop(victim)
        return true
    }

    /// Prints a warning at most every 10 s per kind, with how often it was held back.
    private func warn(_ kind: String, _ message: String) {
        let now = HTTPServer.now()
        if let last = warned[kind], now - last.at < 10 {
            warned[kind] = (last.at, last.repeats + 1)
            return
        }
        let repeats = warned[kind]?.repeats ?? 0
        warned[kind] = (now, 0)
        log("warning: serve: \(message)" + (repeats > 0 ? " (\(repeats) more like this since the last warning)" : ""))
    }

    private func date() -> String {
        let second = time(nil)
        if second != dateSecond {
            dateSecond = second
            dateText = HTTPMessage.date(second)
        }
        return dateText
    }

    // MARK: - Listening

    /// Non-blocking, and not inherited by processes started from here.
    static func makeNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// A non-blocking socket listening on `host` (an address or a name) and `port` (0: any).
    static func listen(host: String, port: UInt16) throws -> (fd: Int32, port: UInt16) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let info = list?.pointee else {
            throw ListenError.failed("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenError.failed(String(cString: strerror(errno))) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        if bind(fd, info.ai_addr, info.ai_addrlen) != 0 || Glibc.listen(fd, SOMAXCONN) != 0 {
            let error = errno
            close(fd)
            throw error == EADDRINUSE ? ListenError.addressInUse : ListenError.failed(String(cString: strerror(error)))
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let family = Int32(address.ss_family)
        let bound: UInt16 = withUnsafePointer(to: &address) { pointer in
            family == AF_INET6
                ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        return (fd, bound)
    }
}
