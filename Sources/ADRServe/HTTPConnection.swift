import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One client socket of the preview server and what is pending on it. Only the server's loop
/// thread touches it. It does the reading and writing; `HTTPServer` decides what to send and
/// when to give up.
final class HTTPConnection {
    enum Phase: Equatable {
        /// Reading requests and answering them one at a time.
        case requests
        /// An event stream: only server-sent events go out; what the client sends is dropped.
        case stream
        /// The last response is out and the write side is shut: bytes the client still sends are
        /// read and dropped until it closes or `until`, so that closing does not reset the
        /// connection before the client has read the response (RFC 9112 §9.6).
        case closing(until: Double)
    }

    let fd: Int32
    var phase = Phase.requests
    /// Bytes of a request head not yet answered.
    var inbox: [UInt8] = []
    /// How far the inbox has been searched for the end of a head.
    var scanned = 0
    /// When the first byte of the request now in the inbox arrived.
    var requestStarted: Double?
    /// Since when the connection has waited for a request with nothing in the inbox.
    var idleSince: Double
    /// Chunks to send, the first one from `sentOfFirst` on.
    private(set) var outbox: [[UInt8]] = []
    private var sentOfFirst = 0
    private(set) var pendingBytes = 0
    /// When bytes last went out (or the outbox was filled): a client that reads nothing for too
    /// long is dropped.
    private(set) var lastWrite: Double
    /// When anything last happened: the connection quiet the longest is closed first when
    /// descriptors run out.
    var lastActivity: Double
    /// Close once the outbox is sent.
    var closeWhenSent = false
    /// The client closed its side (a read returned 0).
    var peerClosed = false
    private(set) var isClosed = false

    init(fd: Int32, now: Double) {
        self.fd = fd
        idleSince = now
        lastWrite = now
        lastActivity = now
    }

    /// The poll events this connection waits for.
    var events: Int16 {
        var e: Int16 = 0
        // A connection with a response going out reads nothing more until it is sent, so
        // pipelined requests wait in the kernel's buffer rather than in ours.
        if !peerClosed && (phase != .requests || outbox.isEmpty) { e |= Int16(POLLIN) }
        if !outbox.isEmpty { e |= Int16(POLLOUT) }
        return e
    }

    enum ReadResult { case data(Int), wouldBlock, closed }

    /// Reads what is there into `buffer`; the bytes go to the inbox while requests are read.
    func read(into buffer: UnsafeMutableRawBufferPointer, now: Double) -> ReadResult {
        let n = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        if n < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .closed }
        if n == 0 {
            peerClosed = true
            return .closed
        }
        lastActivity = now
        if phase == .requests {
            if inbox.isEmpty { requestStarted = now }
            inbox.append(contentsOf: buffer[0..<n])
        }
        return .data(n)
    }

    /// Drops the first `count` bytes of the inbox (a request that was answered).
    func consume(_ count: Int, now: Double) {
        // An emptied inbox gives its buffer back: a held connection keeps no read's worth of memory.
        if count >= inbox.count { inbox = [] } else { inbox.removeFirst(count) }
        scanned = 0
        requestStarted = inbox.isEmpty ? nil : now
    }

    func enqueue(_ chunk: [UInt8], now: Double) {
        guard !chunk.isEmpty else { return }
        if outbox.isEmpty { lastWrite = now }
        outbox.append(chunk)
        pendingBytes += chunk.count
    }

    enum WriteResult { case sent, pending, failed }

    /// Writes as much of the outbox as the socket takes now, the head and body of a response in
    /// one call.
    func flush(now: Double) -> WriteResult {
        while !outbox.isEmpty {
            let n = writeFirstTwo()
            if n < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK ? .pending : .failed
            }
            lastWrite = now
            lastActivity = now
            pendingBytes -= n
            var left = n
            while left > 0 {
                let rest = outbox[0].count - sentOfFirst
                if left >= rest {
                    left -= rest
                    outbox.removeFirst()
                    sentOfFirst = 0
                } else {
                    sentOfFirst += left
                    left = 0
                }
            }
        }
        return .sent
    }

    /// One sendmsg over the first two chunks; MSG_NOSIGNAL, because a client that went away
    /// must cost an error code, not the process (SIGPIPE).
    private func writeFirstTwo() -> Int {
        let flags = Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)
        return outbox[0].withUnsafeBytes { first in
            let a = iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress! + sentOfFirst),
                          iov_len: first.count - sentOfFirst)
            guard outbox.count > 1 else { return send(fd, a.iov_base, a.iov_len, flags) }
            return outbox[1].withUnsafeBytes { second in
                var vectors = [a, iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress!), iov_len: second.count)]
                return vectors.withUnsafeMutableBufferPointer { v in
                    var message = msghdr()
                    message.msg_iov = v.baseAddress
                    message.msg_iovlen = 2
                    return sendmsg(fd, &message, flags)
                }
            }
        }
    }

    /// Sends no more: the client sees the end of the response, then we wait for its close.
    func shutdownWrite(now: Double, linger: Double) {
        shutdown(fd, Int32(SHUT_WR))
        phase = .closing(until: now + linger)
        inbox = []
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
        outbox = []
        inbox = []
    }
}
