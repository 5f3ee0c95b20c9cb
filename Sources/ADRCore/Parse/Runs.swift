/// The inline content of one block (paragraph, heading or table cell) flattened into bytes,
/// so that statements like "Superseded by [3. X](0003-x.md)" or "addresses follow-up 2 of
/// ADR-0007" can be read across the nodes cmark splits them into.
///
/// Each link becomes `linkStart`, its text, `linkEnd`; code spans become a space (nothing in
/// code counts); line breaks become `\n`.
struct InlineRun {
    static let linkStart: UInt8 = 0x01
    static let linkEnd: UInt8 = 0x02

    struct LinkSpan {
        var start: Int      // offset of linkStart
        var end: Int        // offset of linkEnd
        var url: String
        var node: Int32
        var line: Int32
        var column: Int32
    }

    var block: Int32 = -1
    var bytes: [UInt8] = []
    var links: [LinkSpan] = []
    /// Start offsets of text pieces with their source positions, ascending.
    var marks: [(offset: Int, line: Int32, column: Int32)] = []
    /// The walk's own storage, kept from one block to the next.
    private var stack: [(node: Int32, isExit: Bool)] = []
    private var openLinks: [Int] = []

    init() {}

    init(block: Int32, in doc: MarkdownDocument) {
        read(block, in: doc)
    }

    /// Reads the inline content of `block`, in the storage of the block read before.
    mutating func read(_ block: Int32, in doc: MarkdownDocument) {
        self.block = block
        bytes.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        marks.removeAll(keepingCapacity: true)
        let blockNode = doc[block]
        marks.append((0, blockNode.line, blockNode.column))
        doc.nodes.withUnsafeBufferPointer { nodes in
            doc.text.withUnsafeBufferPointer { text in append(childrenOf: block, nodes: nodes, text: text, doc: doc) }
        }
    }

    private mutating func append(childrenOf parent: Int32, nodes: UnsafeBufferPointer<MarkdownNode>,
                                 text: UnsafeBufferPointer<UInt8>, doc: MarkdownDocument) {
        stack.removeAll(keepingCapacity: true)
        openLinks.removeAll(keepingCapacity: true)
        var c = nodes[Int(parent)].lastChild
        while c >= 0 { stack.append((c, false)); c = nodes[Int(c)].previous }
        while let (n, isExit) = stack.popLast() {
            let node = nodes[Int(n)]
            if isExit {
                if node.kind == .link, let i = openLinks.popLast() {
                    links[i].end = bytes.count
                    bytes.append(InlineRun.linkEnd)
                }
                continue
            }
            switch node.kind {
            case .text:
                if node.line > 0 { marks.append((bytes.count, node.line, node.column)) }
                let start = bytes.count
                let literal = node.literal
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[Int(literal.start)..<Int(literal.start + literal.count)]))
                // The link markers must not appear in text; they are control characters, rare.
                for k in start..<bytes.count where bytes[k] <= InlineRun.linkEnd && bytes[k] >= InlineRun.linkStart {
                    bytes[k] = 0x20
                }
            case .code:
                bytes.append(0x20)
            case .softBreak, .lineBreak:
                bytes.append(0x0A)
            case .htmlInline:
                if let url = HTMLLinks.href(inTag: doc.literal(n)) {
                    links.append(LinkSpan(start: bytes.count, end: bytes.count + 1, url: url, node: n,
                                          line: node.line, column: node.column))
                    bytes.append(InlineRun.linkStart)
                    bytes.append(InlineRun.linkEnd)
                }
            case .image:
                continue
            case .link:
                openLinks.append(links.count)
                links.append(LinkSpan(start: bytes.count, end: bytes.count, url: doc.url(n), node: n,
                                      line: node.line, column: node.column))
                bytes.append(InlineRun.linkStart)
                stack.append((n, true))
                var child = node.lastChild
                while child >= 0 { stack.append((child, false)); child = nodes[Int(child)].previous }
            default:
                var child = node.lastChild
                while child >= 0 { stack.append((child, false)); child = nodes[Int(child)].previous }
            }
        }
    }

    /// Source position of a byte offset.
    func position(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = marks.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if marks[mid].offset <= offset { lo = mid } else { hi = mid - 1 }
        }
        let mark = marks[lo]
        return (Int(mark.line), Int(mark.column) + (offset - mark.offset))
    }

    /// The link whose span starts at `offset`. Links are in order of their (distinct) starts: a
    /// binary search, so that a run of 10,000 links is not read 10,000 times.
    func link(startingAt offset: Int) -> LinkSpan? {
        var lo = 0, hi = links.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if links[mid].start < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo < links.count && links[lo].start == offset ? links[lo] : nil
    }

    /// The text without link markers, as a reader sees it.
    static func plain<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes.filter { $0 != linkStart && $0 != linkEnd }, as: UTF8.self)
    }
}

/// Finds `href` in raw HTML (`<a href="0003-x.md">`): HTML links count as links too.
enum HTMLLinks {
    /// The `href` of a single `<a …>` tag.
    static func href(inTag tag: String) -> String? {
        let b = Array(tag.utf8)
        guard b.count > 3, b[0] == UInt8(ascii: "<"), b[1] | 0x20 == UInt8(ascii: "a"),
              b[2] == 0x20 || b[2] == 0x09 || b[2] == 0x0A else { return nil }
        return attribute("href", in: b, from: 2)
    }

    /// Every `href` of `<a>` tags in a block of raw HTML.
    static func hrefs(inBlock html: String) -> [String] {
        let b = Array(html.utf8)
        var out: [String] = []
        var i = 0
        while i + 2 < b.count {
            if b[i] == UInt8(ascii: "<") && b[i + 1] | 0x20 == UInt8(ascii: "a") && (b[i + 2] == 0x20 || b[i + 2] == 0x0A || b[i + 2] == 0x09) {
                var end = i
                while end < b.count && b[end] != UInt8(ascii: ">") { end += 1 }
                if let url = attribute("href", in: Array(b[i..<end]), from: 2) { out.append(url) }
                i = end
            }
            i += 1
        }
        return out
    }

    /// Values of `id` and `name` attributes in raw HTML: anchors a link can point at.
    static func ids(in html: String) -> [String] {
        let b = Array(html.utf8)
        var out: [String] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "<") && i + 1 < b.count && b[i + 1] != UInt8(ascii: "/") {
                var end = i
                while end < b.count && b[end] != UInt8(ascii: ">") { end += 1 }
                let tag = Array(b[i..<end])
                for key in ["id", "name"] {
                    if let value = attribute(key, in: tag, from: 1), !value.isEmpty { out.append(value) }
                }
                i = end
            }
            i += 1
        }
        return out
    }

    private static func attribute(_ name: String, in b: [UInt8], from start: Int) -> String? {
        let key = Array(name.utf8)
        var i = start
        while i + key.count < b.count {
            let before = b[i - 1]
            if (before == 0x20 || before == 0x09 || before == 0x0A)
                && zip(b[i..<(i + key.count)], key).allSatisfy({ ($0 | 0x20) == $1 }) {
                var j = i + key.count
                while j < b.count && b[j] == 0x20 { j += 1 }
                guard j < b.count, b[j] == UInt8(ascii: "=") else { i += 1; continue }
                j += 1
                while j < b.count && b[j] == 0x20 { j += 1 }
                guard j < b.count else { return nil }
                let quote = b[j]
                if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                    let valueStart = j + 1
                    var k = valueStart
                    while k < b.count && b[k] != quote { k += 1 }
                    return decodeEntities(String(decoding: b[valueStart..<k], as: UTF8.self))
                }
                var k = j
                while k < b.count && b[k] != 0x20 && b[k] != UInt8(ascii: ">") { k += 1 }
                return decodeEntities(String(decoding: b[j..<k], as: UTF8.self))
            }
            i += 1
        }
        return nil
    }

    private static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = s
        for (entity, char) in [("&amp;", "&"), ("&quot;", "\""), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">")] {
            out = out.split(separator: entity, omittingEmptySubsequences: false).joined(separator: char)
        }
        return out
    }
}

/// Hand-written scanners over a run's bytes: relation statements, `ADR-12` mentions and
/// follow-up references. (Written out rather than as regular expressions: they run over every
/// paragraph of every decision.)
enum Scan {
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (lower(b) >= 97 && lower(b) <= 122) || b >= 0x80
    }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    @inline(__always) static func isAsciiLetter(_ b: UInt8) -> Bool { lower(b) >= 97 && lower(b) <= 122 }

    /// Bits of `byteClass`: part of a word; may start a relation keyword, a follow-up
    /// reference or a mention.
    static let inWord: UInt8 = 1, startsKeyword: UInt8 = 2, startsFollowUp: UInt8 = 4, startsMention: UInt8 = 8

    /// For each byte, what a word starting with it may be (0: not a word byte).
    static let byteClass: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for b in 0..<256 where isAlnum(UInt8(b)) { t[b] = inWord }
        for entry in relationKeywords {
            let c = entry.0[0]
            t[Int(c)] |= startsKeyword
            t[Int(c) - 32] |= startsKeyword
        }
        t[Int(UInt8(ascii: "f"))] |= startsFollowUp
        t[Int(UInt8(ascii: "F"))] |= startsFollowUp
        t[Int(UInt8(ascii: "a"))] |= startsMention
        t[Int(UInt8(ascii: "A"))] |= startsMention
        return t
    }()

    /// `byteClass` where reading it checks no bounds (it is read for every byte of every block).
    nonisolated(unsafe) static let byteClassTable: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(from: byteClass, count: 256)
        return UnsafePointer(table)
    }()

    /// From `i`, the first offset of a link marker or of a word whose first byte may start a
    /// relation statement, a follow-up reference or a mention (or the end): the bytes between,
    /// and the words that start with any other byte, are passed over as `Reader.scanRun` would.
    static func nextCandidate(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let classes = byteClassTable
        let starts = startsKeyword | startsFollowUp | startsMention
        var i = start
        let n = p.count
        while i < n {
            let c = p[i]
            let cls = classes[Int(c)]
            if cls == 0 {
                if c == InlineRun.linkStart || c == InlineRun.linkEnd { return i }
                i += 1
            } else if cls & starts != 0 {
                return i
            } else {
                i += 1
                while i < n && classes[Int(p[i])] != 0 { i += 1 }
            }
        }
        return n
    }

    /// Does `word` (lowercase ASCII) start at `i`?
    static func matches(_ b: [UInt8], _ i: Int, _ word: [UInt8]) -> Bool {
        guard i + word.count <= b.count else { return false }
        for k in 0..<word.count where lower(b[i + k]) != word[k] { return false }
        return true
    }

    /// An `ADR-12` / `ADR 12` / `ADR012` / `ADR #12` mention at `i`: its number and end offset.
    static func mention(_ b: [UInt8], at i: Int) -> (number: Int, end: Int)? {
        guard i + 3 < b.count, b[i] == UInt8(ascii: "A") || b[i] == UInt8(ascii: "a"),
              lower(b[i + 1]) == UInt8(ascii: "d"), lower(b[i + 2]) == UInt8(ascii: "r") else { return nil }
        // "adr" in lowercase only when written as adr-12; uppercase ADR in any form.
        let upper = b[i] == UInt8(ascii: "A") && b[i + 1] == UInt8(ascii: "D") && b[i + 2] == UInt8(ascii: "R")
        if i > 0 && (isAlnum(b[i - 1]) || b[i - 1] == UInt8(ascii: "/") || b[i - 1] == UInt8(ascii: "_")) { return nil }
        var j = i + 3
        var separated = false
        if j < b.count && (b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: " ") || b[j] == UInt8(ascii: "_")) {
            j += 1
            separated = true
        }
        if j < b.count && b[j] == UInt8(ascii: "#") { j += 1; separated = true }
        if !upper && !separated { return nil }
        let start = j
        var value = 0
        while j < b.count && isDigit(b[j]) && j - start < 9 {
            value = value * 10 + Int(b[j] - 48)
            j += 1
        }
        guard j > start else { return nil }
        if j < b.count && (isAlnum(b[j]) || (b[j] == UInt8(ascii: ".") && j + 1 < b.count && isDigit(b[j + 1])))
            { return nil }
        // "adr-7.md" is a file name, not a mention.
        if j + 2 < b.count && b[j] == UInt8(ascii: ".") && lower(b[j + 1]) == UInt8(ascii: "m") { return nil }
        return (value, j)
    }

    /// Relation keywords (`Conventions.relationPhrases`) as bytes.
    static let relationKeywords: [([UInt8], RelationType)] = Conventions.relationPhrases.map { (Array($0.0.utf8), $0.1) }

    /// The keywords by their first letter: most positions start no keyword at all.
    static let keywordsByFirstByte: [[([UInt8], RelationType)]] = {
        var table = [[([UInt8], RelationType)]](repeating: [], count: 256)
        for entry in relationKeywords { table[Int(entry.0[0])].append(entry) }
        return table
    }()

    /// For each two lowercase bytes, whether a keyword starts with them: most words that start
    /// with a keyword's first letter ("system", "as", "in") go no further.
    static let keywordStarts: [Bool] = {
        var table = [Bool](repeating: false, count: 1 << 16)
        for entry in relationKeywords { table[Int(entry.0[0]) << 8 | Int(entry.0[1])] = true }
        return table
    }()

    /// The relation keyword that starts at `i` (at a word boundary), if any.
    static func relationKeyword(_ b: [UInt8], at i: Int) -> (RelationType, Int)? {
        // Every keyword is longer than two bytes (`i < b.count` fails e.g. in an empty table cell).
        guard i + 1 < b.count, keywordStarts[Int(lower(b[i])) << 8 | Int(lower(b[i + 1]))] else { return nil }
        let candidates = keywordsByFirstByte[Int(lower(b[i]))]
        if i > 0 && isAlnum(b[i - 1]) { return nil }
        for (word, type) in candidates where matches(b, i, word) {
            let end = i + word.count
            if end < b.count && isAlnum(b[end]) { continue }
            return (type, end)
        }
        return nil
    }

    /// Skips what may stand between a keyword and its targets or between targets:
    /// spaces, `:`, `,`, `;`, `&`, dashes, "and", "or", "the", "adr" followed by a link.
    static func skipSeparators(_ b: [UInt8], _ i: inout Int) {
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x0A || c == 0x09 || c == UInt8(ascii: ":") || c == UInt8(ascii: ",")
                || c == UInt8(ascii: ";") || c == UInt8(ascii: "&") || c == UInt8(ascii: "-") || c == UInt8(ascii: "(") {
                i += 1
            } else if c == 0xE2 && i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0x93 || b[i + 2] == 0x94) {
                i += 3   // en and em dashes
            } else if (matches(b, i, Array("and ".utf8)) || matches(b, i, Array("or ".utf8))) {
                i += b[i] == UInt8(ascii: "a") || b[i] == UInt8(ascii: "A") ? 4 : 3
            } else {
                break
            }
        }
    }
}
