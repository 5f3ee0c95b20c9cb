/// HTML with holes: the body of a decision is rendered once, in the parse stage, and the few
/// places that depend on the rest of the log (where a link leads, whether `ADR-12` names a
/// decision, the state of a follow-up) are left as holes for the render stage to fill.
public struct RenderedHTML: Sendable {
    public var html: [UInt8]
    /// In order of their offsets.
    public var holes: [Hole]
    /// The `ADR-12` mentions, by the index of their holes.
    public var mentions: [Mention]
    /// How many Mermaid diagrams the HTML has (`<pre class="mermaid">`): a page with one
    /// loads the script that draws them.
    public var diagrams = 0

    public init(html: [UInt8] = [], holes: [Hole] = [], mentions: [Mention] = []) {
        self.html = html
        self.holes = holes
        self.mentions = mentions
    }

    public struct Mention: Sendable, Hashable {
        public var number: Int
        /// The link hole the mention is written in, -1 when none: inside a link that leads
        /// somewhere, a mention is text.
        public var insideLink: Int32
    }

    /// The HTML with each hole filled by `fill`, which appends what goes there.
    public func filled(capacity: Int = 0, _ fill: (Hole, inout [UInt8]) throws -> Void) rethrows -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(max(capacity, html.count + 64 * holes.count))
        try appendFilled(to: &out, fill)
        return out
    }

    public func appendFilled(to out: inout [UInt8], _ fill: (Hole, inout [UInt8]) throws -> Void) rethrows {
        try html.withUnsafeBufferPointer { html in
            var at = 0
            for hole in holes {
                let offset = Int(hole.offset)
                if offset > at { out.append(contentsOf: UnsafeBufferPointer(rebasing: html[at..<offset])) }
                at = offset
                try fill(hole, &out)
            }
            if html.count > at { out.append(contentsOf: UnsafeBufferPointer(rebasing: html[at...])) }
        }
    }

    /// With every hole left empty.
    public func filled() -> [UInt8] { filled { _, _ in } }
}

/// A place in rendered HTML whose text the render stage writes.
public struct Hole: Sendable, Hashable {
    public enum Kind: UInt8, Sendable {
        /// `<a href="…" title="…">`, or `<span class="unresolved-link">` (index: the link).
        case linkOpen
        /// `</a>` or `</span>`.
        case linkClose
        /// `<img src="…" alt="`, or `<span class="missing-image">` (index: the link).
        case imageOpen
        /// `" title="…" />` or `</span>`.
        case imageClose
        /// `<a class="mention" href="…">` or nothing (index: the mention).
        case mentionOpen
        /// `</a>` or nothing.
        case mentionClose
        /// The end of a follow-up item's content: its state (index: the follow-up).
        case itemEnd
    }

    /// Byte offset in `RenderedHTML.html`.
    public var offset: Int32
    public var kind: Kind
    public var index: Int32
}

/// A growing UTF-8 buffer with the escapes HTML output needs, and the holes left in it.
public struct HTMLBuffer {
    public var bytes: [UInt8] = []
    public private(set) var holes: [Hole] = []

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always) public mutating func append(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func append(bytes other: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: other) }

    mutating func hole(_ kind: Hole.Kind, _ index: Int32) {
        holes.append(Hole(offset: Int32(bytes.count), kind: kind, index: index))
    }

    /// A newline unless the output is empty or already ends with one (cmark's `cr`).
    public mutating func cr() {
        if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
    }

    public mutating func escapeHTML(_ s: String) {
        var s = s
        s.withUTF8 { escapeHTML($0) }
    }

    /// Escapes `&`, `<`, `>` and `"`, as cmark does for text; runs of plain bytes are appended
    /// at once.
    public mutating func escapeHTML(_ source: UnsafeBufferPointer<UInt8>) {
        HTMLEscape.escape(source, into: &bytes)
    }

    /// Escapes a URL for an `href`/`src` attribute as cmark's `houdini_escape_href` does.
    public mutating func escapeHref(_ source: UnsafeBufferPointer<UInt8>) {
        HTMLEscape.escapeHref(source, into: &bytes)
    }
}

/// The escapes of cmark's HTML renderer, over bytes.
public enum HTMLEscape {
    /// `&`, `<`, `>` and `"` as cmark escapes text; with `apostrophe`, `'` too, as swift-mustache
    /// escapes a template's values. Runs of plain bytes are copied whole.
    public static func escape(_ source: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8], apostrophe: Bool = false) {
        var runStart = 0
        var i = 0
        let n = source.count
        while i < n {
            // Words without a byte to escape are stepped over; the word with one, byte by byte.
            i = ByteScan.skipHTMLPlain(source, from: i, apostrophe: apostrophe)
            let end = min(i + 8, n)
            while i < end {
                let entity: StaticString
                switch source[i] {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'") where apostrophe: entity = "&#39;"
                default: i += 1; continue
                }
                if i > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<i])) }
                put(entity, &bytes)
                i += 1
                runStart = i
            }
        }
        if n > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<n])) }
    }

    public static func escape(_ s: String, into bytes: inout [UInt8]) {
        var s = s
        s.withUTF8 { escape($0, into: &bytes) }
    }

    public static func escapeHref(_ source: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        let hex: StaticString = "0123456789ABCDEF"
        let digits = hex.utf8Start
        for b in source {
            if hrefSafe[Int(b)] {
                bytes.append(b)
            } else if b == UInt8(ascii: "&") {
                put("&amp;", &bytes)
            } else if b == UInt8(ascii: "'") {
                put("&#x27;", &bytes)
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(digits[Int(b >> 4)])
                bytes.append(digits[Int(b & 0xF)])
            }
        }
    }

    public static func escapeHref(_ s: String, into bytes: inout [UInt8]) {
        var s = s
        s.withUTF8 { escapeHref($0, into: &bytes) }
    }

    @inline(__always) public static func put(_ s: StaticString, _ bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Characters `houdini_escape_href` leaves as they are: `-_.+!*(),%#@?=;:/$~` and alphanumerics.
    private static let hrefSafe: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(b)] = true }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(b)] = true }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(b)] = true }
        for c in "-_.+!*(),%#@?=;:/$~" { table[Int(c.asciiValue!)] = true }
        return table
    }()
}
