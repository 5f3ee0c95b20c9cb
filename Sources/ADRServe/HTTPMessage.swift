import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The status codes the preview answers with.
enum HTTPStatus: Int, Sendable {
    case ok = 200
    case badRequest = 400
    case notFound = 404
    case methodNotAllowed = 405
    case requestTimeout = 408
    case contentTooLarge = 413
    case headerFieldsTooLarge = 431
    case versionNotSupported = 505

    var reason: String {
        switch self {
        case .ok: return "OK"
        case .badRequest: return "Bad Request"
        case .notFound: return "Not Found"
        case .methodNotAllowed: return "Method Not Allowed"
        case .requestTimeout: return "Request Timeout"
        case .contentTooLarge: return "Content Too Large"
        case .headerFieldsTooLarge: return "Request Header Fields Too Large"
        case .versionNotSupported: return "HTTP Version Not Supported"
        }
    }
}

/// The parts of a request the preview acts on. It serves files, so it takes GET and HEAD
/// without a body and nothing else.
struct HTTPRequestHead: Equatable, Sendable {
    var method: String
    /// The request target as sent (percent-encoded, with its query).
    var target: String
    var keepAlive: Bool
    /// An HTTP/1.0 client keeps a connection only when the answer says `Connection: keep-alive`.
    var isHTTP10 = false

    var isHead: Bool { method == "HEAD" }

    /// The target without its query.
    var path: String { target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target }
}

/// What the bytes received so far on a connection hold.
enum HeadParse: Equatable {
    /// The blank line that ends the head has not arrived yet.
    case incomplete
    /// A request, and how many bytes its head took.
    case request(HTTPRequestHead, length: Int)
    /// A request the preview does not serve: answer this status and close the connection.
    case refuse(HTTPStatus)
}

enum HTTPMessage {
    /// Reads the request head at the start of `bytes`. A head longer than `limit` bytes is
    /// refused with 431 as soon as `limit` bytes have arrived without its end, so a client
    /// never makes the server hold more. `scanned` is how far an earlier call looked for the
    /// end, so bytes that trickle in are searched once.
    static func parse(_ bytes: [UInt8], limit: Int, scanned: inout Int) -> HeadParse {
        // RFC 9112 §2.2: empty lines before the request line are ignored.
        var start = 0
        while start < bytes.count && (bytes[start] == 13 || bytes[start] == 10) { start += 1 }
        guard let end = headEnd(bytes, from: max(start, scanned - 3)) else {
            scanned = bytes.count
            return bytes.count >= limit ? .refuse(.headerFieldsTooLarge) : .incomplete
        }
        guard end <= limit else { return .refuse(.headerFieldsTooLarge) }
        var lines = bytes[start..<end].split(separator: 10, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)
        }
        while lines.last == "" { lines.removeLast() }
        guard let requestLine = lines.first else { return .refuse(.badRequest) }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, isToken(parts[0]), parts[1].hasPrefix("/") else { return .refuse(.badRequest) }
        let version = parts[2]
        guard version.hasPrefix("HTTP/"), version.count == 8 else { return .refuse(.badRequest) }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return .refuse(.versionNotSupported) }

        var connection: [String] = []
        var hasBody = false
        for line in lines.dropFirst() {
            // No folded lines (RFC 9112 §5.2) and no space before the colon (§5.1).
            guard let colon = line.firstIndex(of: ":"), isToken(line[..<colon]) else { return .refuse(.badRequest) }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "connection":
                connection += value.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case "content-length":
                guard !value.isEmpty, value.allSatisfy(\.isASCII), value.allSatisfy(\.isNumber) else { return .refuse(.badRequest) }
                if value.contains(where: { $0 != "0" }) { hasBody = true }
            case "transfer-encoding":
                hasBody = true
            default:
                break
            }
        }
        let method = String(parts[0])
        guard method == "GET" || method == "HEAD" else { return .refuse(.methodNotAllowed) }
        // The preview reads no request bodies; one it would have to skip ends the connection.
        guard !hasBody else { return .refuse(.contentTooLarge) }
        let keepAlive = version == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        return .request(HTTPRequestHead(method: method, target: String(parts[1]), keepAlive: keepAlive,
                                        isHTTP10: version == "HTTP/1.0"), length: end)
    }

    /// The index just after the blank line that ends a head (`\n\n` or `\n\r\n`), if it is there.
    static func headEnd(_ bytes: [UInt8], from: Int) -> Int? {
        var i = max(from, 0)
        while i + 1 < bytes.count {
            if bytes[i] == 10 {
                if bytes[i + 1] == 10 { return i + 2 }
                if bytes[i + 1] == 13 && i + 2 < bytes.count && bytes[i + 2] == 10 { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// RFC 9110 §5.6.2 token characters.
    static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    /// A response head. `contentLength` nil means a body that ends when the connection closes
    /// (the event stream); `connection` is the Connection header, if one is needed.
    static func head(_ status: HTTPStatus, headers: [(String, String)], contentLength: Int?, connection: String?,
                     date: String) -> [UInt8] {
        var text = "HTTP/1.1 \(status.rawValue) \(status.reason)\r\nDate: \(date)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        if let connection { text += "Connection: \(connection)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// The IMF-fixdate of RFC 9110 §5.6.7, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func date(_ seconds: time_t) -> String {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
