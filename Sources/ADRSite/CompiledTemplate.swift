/// A Mustache template compiled once into a tree of text, variables, sections and partials.
///
/// The parser follows swift-mustache's rules to the letter (standalone lines, indentation of
/// standalone partials, set delimiters), and templates rendered both ways are compared in the
/// tests; swift-mustache stays the reference and parses every template first, for its error
/// positions. This form renders a page in microseconds instead of milliseconds. Templates that
/// use what it does not compile (transforms, inheritance, dynamic partials, pragmas) are
/// rendered by swift-mustache itself.
struct CompiledTemplate: Sendable {
    indirect enum Node: Sendable {
        case text([UInt8])
        case variable(path: Path, escaped: Bool)
        case section(path: Path, inverted: Bool, body: [Node], place: Place)
        case partial(name: String, indentation: [UInt8]?, place: Place)
    }

    /// Where a tag starts: 1-based line and UTF-8 byte column, for errors while rendering.
    struct Place: Sendable, Equatable {
        var line: Int
        var column: Int
    }

    var nodes: [Node]

    /// A dotted name, split once when the template is compiled.
    struct Path: Sendable {
        enum Start: Sendable {
            /// `.`: the current value itself.
            case current
            /// `.name`: a key of the current object only.
            case currentObject
            /// `name`: looked up in the context stack, innermost first.
            case stack
        }
        let start: Start
        /// The key looked up first; nil for `.` (and for a bare `.` followed by nothing).
        let first: TemplateKey?
        /// The keys looked up in turn in what `first` found.
        let rest: [TemplateKey]

        init(_ parts: [String]) {
            if parts.count == 1 && parts[0] == "." {
                (start, first, rest) = (.current, nil, [])
            } else if parts[0].isEmpty {
                (start, first, rest) = (.currentObject, parts.count > 1 ? TemplateKey(parts[1]) : nil,
                                         parts.dropFirst(2).map({ TemplateKey($0) }))
            } else {
                (start, first, rest) = (.stack, TemplateKey(parts[0]), parts.dropFirst().map({ TemplateKey($0) }))
            }
        }
    }

    struct Unsupported: Error {}

    static func compile(_ text: String) throws -> CompiledTemplate {
        // The parser reads UTF-8 bytes, one Unicode scalar per character of swift-mustache's
        // parser (which reads Characters): the same unless a character is several scalars
        // (other than CR LF, which it reads as one line break). Such a template is left to
        // swift-mustache.
        guard Self.charactersAreScalars(text) else { throw Unsupported() }
        var parser = Parser(Array(text.utf8))
        let nodes = try parser.parse(section: nil)
        return CompiledTemplate(nodes: nodes)
    }

    /// Whether every Character of `text` is one Unicode scalar, or CR LF.
    static func charactersAreScalars(_ text: String) -> Bool {
        var crlf = 0, previous: UInt8 = 0, ascii = true
        for byte in text.utf8 {
            if byte == 0x0A && previous == 0x0D { crlf += 1 }
            if byte >= 0x80 { ascii = false }
            previous = byte
        }
        return ascii || text.unicodeScalars.count == text.count + crlf
    }

    /// A port of swift-mustache's parser (Template+Parser.swift), producing nodes instead of tokens.
    /// It reads the template's UTF-8 bytes; each of the parser's characters is one scalar (see
    /// `compile`), and every character the syntax names is ASCII.
    private struct Parser {
        let b: [UInt8]
        var i = 0
        var open: [UInt8] = Array("{{".utf8)
        var close: [UInt8] = Array("}}".utf8)
        var newLine = true
        /// Where each line starts, as byte offsets.
        let lineStarts: [Int]

        init(_ bytes: [UInt8]) {
            b = bytes
            var starts = [0]
            var k = 0
            while k < bytes.count {
                let n = Self.newlineLength(bytes, k)
                if n > 0 { k += n; starts.append(k) } else { k += 1 }
            }
            lineStarts = starts
        }

        /// The byte length of the line break (a Character that `isNewline`) at `k`, or 0.
        static func newlineLength(_ b: [UInt8], _ k: Int) -> Int {
            switch b[k] {
            case 0x0D: return k + 1 < b.count && b[k + 1] == 0x0A ? 2 : 1
            case 0x0A, 0x0B, 0x0C: return 1
            case 0xC2: return k + 1 < b.count && b[k + 1] == 0x85 ? 2 : 0                      // NEL
            case 0xE2: return k + 2 < b.count && b[k + 1] == 0x80 && (b[k + 2] == 0xA8 || b[k + 2] == 0xA9) ? 3 : 0 // LS, PS
            default: return 0
            }
        }

        /// The byte length of the whitespace character (`isWhitespace`, line breaks included) at `k`, or 0.
        static func whitespaceLength(_ b: [UInt8], _ k: Int) -> Int {
            let c = b[k]
            if c < 0x80 {
                if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0B || c == 0x0C { return 1 }
                return c == 0x0D ? newlineLength(b, k) : 0
            }
            var iterator = b[k...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator), scalar.properties.isWhitespace else { return 0 }
            return UTF8.width(scalar)
        }

        /// The place of the tag whose opening delimiter ends just before `tagEnd`.
        func place(tagEnd: Int) -> Place {
            let start = max(0, tagEnd - open.count)
            var low = 0, high = lineStarts.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if lineStarts[mid] <= start { low = mid } else { high = mid - 1 }
            }
            return Place(line: low + 1, column: start - lineStarts[low] + 1)
        }

        var atEnd: Bool { i >= b.count }
        var current: UInt8 { b[i] }
        var newlineHere: Int { Self.newlineLength(b, i) }

        mutating func skipWhitespace() {
            while !atEnd, case let n = Self.whitespaceLength(b, i), n > 0 { i += n }
        }

        mutating func parse(section: String?) throws -> [Node] {
            var nodes: [Node] = []
            // The spaces and tabs that started the line, as a range of `b` (a comment tag may
            // stand between them and the text that follows).
            var whitespaceBefore = 0..<0
            func text(_ parts: Range<Int>...) {
                var bytes: [UInt8] = []
                for part in parts { bytes += b[part] }
                if !bytes.isEmpty { nodes.append(.text(bytes)) }
            }
            while !atEnd {
                if newLine {
                    let start = i
                    while !atEnd && (current == 0x20 || current == 0x09) { i += 1 }
                    whitespaceBefore = start..<i
                }
                let t = readUntilTagOrNewline()
                if !atEnd, case let n = newlineHere, n > 0 {
                    // The text, without the opening delimiter when one was read just before the break.
                    text(whitespaceBefore, t, i..<(i + n))
                    whitespaceBefore = 0..<0
                    newLine = true
                    i += n
                    continue
                }
                if !t.isEmpty {
                    text(whitespaceBefore, t)
                    whitespaceBefore = 0..<0
                    newLine = false
                }
                if atEnd { break }
                var setNewLine = false
                switch current {
                case UInt8(ascii: "#"), UInt8(ascii: "^"):
                    let inverted = current == UInt8(ascii: "^")
                    let at = place(tagEnd: i)
                    i += 1
                    let name = try readName()
                    if standalone() {
                        setNewLine = true
                    } else if !whitespaceBefore.isEmpty {
                        text(whitespaceBefore)
                        whitespaceBefore = 0..<0
                    }
                    newLine = setNewLine
                    let body = try parse(section: name)
                    nodes.append(.section(path: Self.path(name), inverted: inverted, body: body, place: at))
                    // As in swift-mustache, what follows the section counts as a line start when
                    // the opening tag was standalone (the closing tag's line was consumed).
                    newLine = setNewLine
                    continue
                case UInt8(ascii: "/"):
                    i += 1
                    let name = try readName()
                    guard name == section else { throw Unsupported() }
                    if standalone() {
                        setNewLine = true
                    } else if !whitespaceBefore.isEmpty {
                        text(whitespaceBefore)
                    }
                    newLine = setNewLine
                    return nodes
                case UInt8(ascii: "!"):
                    i += 1
                    try skipComment()
                    setNewLine = standalone()
                case UInt8(ascii: "{"):
                    if !whitespaceBefore.isEmpty { text(whitespaceBefore); whitespaceBefore = 0..<0 }
                    i += 1
                    let name = try readName()
                    guard !atEnd, current == UInt8(ascii: "}") else { throw Unsupported() }
                    i += 1
                    nodes.append(.variable(path: Self.path(name), escaped: false))
                case UInt8(ascii: "&"):
                    if !whitespaceBefore.isEmpty { text(whitespaceBefore); whitespaceBefore = 0..<0 }
                    i += 1
                    let name = try readName()
                    nodes.append(.variable(path: Self.path(name), escaped: false))
                case UInt8(ascii: ">"):
                    let at = place(tagEnd: i)
                    i += 1
                    skipWhitespace()
                    if !atEnd && current == UInt8(ascii: "*") { throw Unsupported() }
                    let name = try readPartialName()
                    if !whitespaceBefore.isEmpty { text(whitespaceBefore) }
                    if standalone() {
                        setNewLine = true
                        nodes.append(.partial(name: name, indentation: Array(b[whitespaceBefore]), place: at))
                    } else {
                        nodes.append(.partial(name: name, indentation: nil, place: at))
                    }
                    whitespaceBefore = 0..<0
                case UInt8(ascii: "="):
                    i += 1
                    try setDelimiters()
                    setNewLine = standalone()
                case UInt8(ascii: "<"), UInt8(ascii: "$"), UInt8(ascii: "%"):
                    throw Unsupported()
                default:
                    if !whitespaceBefore.isEmpty { text(whitespaceBefore); whitespaceBefore = 0..<0 }
                    let name = try readName()
                    nodes.append(.variable(path: Self.path(name), escaped: true))
                }
                newLine = setNewLine
            }
            guard section == nil else { throw Unsupported() }
            return nodes
        }

        static func path(_ name: String) -> Path {
            Path(name == "." ? ["."] : name.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
        }

        /// Text up to the next opening delimiter (consumed) or LF or CR LF (not consumed), as a
        /// range of `b`. As in swift-mustache, other line breaks (a lone CR, VT, FF, NEL, LS, PS)
        /// do not end the text, but they end a standalone tag's line.
        mutating func readUntilTagOrNewline() -> Range<Int> {
            let start = i
            let first = open[0]
            while !atEnd {
                let c = current
                if c == 0x0A || (c == 0x0D && i + 1 < b.count && b[i + 1] == 0x0A) { break }
                // An opening delimiter cannot start inside a longer character.
                if c == first && matches(open) {
                    let end = i
                    i += open.count
                    return start..<end
                }
                i += 1
            }
            return start..<i
        }

        func matches(_ s: [UInt8]) -> Bool {
            guard i + s.count <= b.count else { return false }
            for k in 0..<s.count where b[i + k] != s[k] { return false }
            return true
        }

        static let nameBytes = byteSet("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
        static let partialNameBytes = byteSet("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*/")

        static func byteSet(_ characters: String) -> [Bool] {
            var set = [Bool](repeating: false, count: 256)
            for c in characters.utf8 { set[Int(c)] = true }
            return set
        }

        mutating func readName() throws -> String {
            skipWhitespace()
            let start = i
            while !atEnd && Self.nameBytes[Int(current)] { i += 1 }
            let name = String(decoding: b[start..<i], as: UTF8.self)
            // Transforms such as `uppercased(name)` are swift-mustache's alone.
            if !atEnd && (current == UInt8(ascii: "(") || current == UInt8(ascii: ")")) { throw Unsupported() }
            skipWhitespace()
            guard matches(close) else { throw Unsupported() }
            i += close.count
            return name
        }

        mutating func readPartialName() throws -> String {
            let start = i
            while !atEnd && Self.partialNameBytes[Int(current)] { i += 1 }
            let name = String(decoding: b[start..<i], as: UTF8.self)
            skipWhitespace()
            guard matches(close) else { throw Unsupported() }
            i += close.count
            return name
        }

        mutating func skipComment() throws {
            // Byte by byte: the closing delimiter cannot start inside a longer character.
            while !atEnd && !matches(close) { i += 1 }
            guard !atEnd else { throw Unsupported() }
            i += close.count
        }

        mutating func setDelimiters() throws {
            skipWhitespace()
            let startBegin = i
            while !atEnd && Self.whitespaceLength(b, i) == 0 { i += 1 }
            let start = Array(b[startBegin..<i])
            skipWhitespace()
            let endBegin = i
            while !atEnd && current != UInt8(ascii: "=") && Self.whitespaceLength(b, i) == 0 { i += 1 }
            let end = Array(b[endBegin..<i])
            skipWhitespace()
            guard !atEnd, current == UInt8(ascii: "=") else { throw Unsupported() }
            i += 1
            guard matches(close), !start.isEmpty, !end.isEmpty else { throw Unsupported() }
            i += close.count
            open = start
            close = end
        }

        /// A tag alone on its line: the rest of the line is only spaces; consumes it and its line break.
        mutating func standalone() -> Bool {
            guard newLine else { return false }
            if atEnd { return true }
            var j = i
            while j < b.count && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }
            if j < b.count, case let n = Self.newlineLength(b, j), n > 0 {
                i = j + n
                return true
            }
            return false
        }
    }
}
