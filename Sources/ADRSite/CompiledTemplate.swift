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
        var parser = Parser(Array(text))
        let nodes = try parser.parse(section: nil)
        return CompiledTemplate(nodes: nodes)
    }

    /// A port of swift-mustache's parser (Template+Parser.swift), producing nodes instead of tokens.
    private struct Parser {
        let chars: [Character]
        var i = 0
        var open: [Character] = ["{", "{"]
        var close: [Character] = ["}", "}"]
        var newLine = true
        /// Where each line starts, as indices of `chars`.
        let lineStarts: [Int]
        /// The UTF-8 length of the text before each character (and after the last).
        let bytesBefore: [Int]

        init(_ chars: [Character]) {
            self.chars = chars
            var starts = [0]
            var before = [0]
            before.reserveCapacity(chars.count + 1)
            for (k, c) in chars.enumerated() {
                if c.isNewline { starts.append(k + 1) }
                before.append(before[k] + c.utf8.count)
            }
            lineStarts = starts
            bytesBefore = before
        }

        /// The place of the tag whose opening delimiter ends just before `tagEnd`.
        func place(tagEnd: Int) -> Place {
            let start = max(0, tagEnd - open.count)
            var low = 0, high = lineStarts.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if lineStarts[mid] <= start { low = mid } else { high = mid - 1 }
            }
            return Place(line: low + 1, column: bytesBefore[start] - bytesBefore[lineStarts[low]] + 1)
        }

        var atEnd: Bool { i >= chars.count }
        var current: Character { chars[i] }

        mutating func parse(section: String?) throws -> [Node] {
            var nodes: [Node] = []
            var whitespaceBefore: [Character] = []
            func text(_ c: [Character]) { if !c.isEmpty { nodes.append(.text(Array(String(c).utf8))) } }
            while !atEnd {
                if newLine {
                    whitespaceBefore = []
                    while !atEnd && (current == " " || current == "\t") { whitespaceBefore.append(current); i += 1 }
                }
                let t = readUntilTagOrNewline()
                if !atEnd && current.isNewline {
                    text(whitespaceBefore + t + [current])
                    whitespaceBefore = []
                    newLine = true
                    i += 1
                    continue
                }
                if !t.isEmpty {
                    text(whitespaceBefore + t)
                    whitespaceBefore = []
                    newLine = false
                }
                if atEnd { break }
                var setNewLine = false
                switch current {
                case "#", "^":
                    let inverted = current == "^"
                    let at = place(tagEnd: i)
                    i += 1
                    let name = try readName()
                    if standalone() {
                        setNewLine = true
                    } else if !whitespaceBefore.isEmpty {
                        text(whitespaceBefore)
                        whitespaceBefore = []
                    }
                    newLine = setNewLine
                    let body = try parse(section: name)
                    nodes.append(.section(path: Self.path(name), inverted: inverted, body: body, place: at))
                    // As in swift-mustache, what follows the section counts as a line start when
                    // the opening tag was standalone (the closing tag's line was consumed).
                    newLine = setNewLine
                    continue
                case "/":
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
                case "!":
                    i += 1
                    try skipComment()
                    setNewLine = standalone()
                case "{":
                    if !whitespaceBefore.isEmpty { text(whitespaceBefore); whitespaceBefore = [] }
                    i += 1
                    let name = try readName()
                    guard !atEnd, current == "}" else { throw Unsupported() }
                    i += 1
                    nodes.append(.variable(path: Self.path(name), escaped: false))
                case "&":
                    if !whitespaceBefore.isEmpty { text(whitespaceBefore); whitespaceBefore = [] }
                    i += 1
                    let name = try readName()
                    nodes.append(.variable(path: Self.path(name), escaped: false))
                case ">":
                    let at = place(tagEnd: i)
                    i += 1
                    while !atEnd && current.isWhitespace { i += 1 }
                    if !atEnd && current == "*" { throw Unsupported() }
                    let name = try readPartialName()
                    if !whitespaceBefore.isEmpty { text(whitespaceBefore) }
                    if standalone() {
                        setNewLine = true
                        nodes.append(.partial(name: name, indentation: Array(String(whitespaceBefore).utf8), place: at))
                    } else {
                        nodes.append(.partial(name: name, indentation: nil, place: at))
                    }
                    whitespaceBefore = []
                case "=":
                    i += 1
                    try setDelimiters()
                    setNewLine = standalone()
                case "<", "$", "%":
                    throw Unsupported()
                default:
                    if !whitespaceBefore.isEmpty { text(whitespaceBefore); whitespaceBefore = [] }
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

        /// Text up to the next opening delimiter (consumed) or newline (not consumed).
        mutating func readUntilTagOrNewline() -> [Character] {
            var out: [Character] = []
            while !atEnd {
                let c = current
                if c.isNewline { break }
                if c == open[0] && matches(open) {
                    i += open.count
                    break
                }
                out.append(c)
                i += 1
            }
            return out
        }

        func matches(_ s: [Character]) -> Bool {
            guard i + s.count <= chars.count else { return false }
            for k in 0..<s.count where chars[i + k] != s[k] { return false }
            return true
        }

        static let nameChars = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
        static let partialNameChars = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*/")

        mutating func readName() throws -> String {
            while !atEnd && current.isWhitespace { i += 1 }
            var name = ""
            while !atEnd && (Self.nameChars.contains(current)) { name.append(current); i += 1 }
            // Transforms such as `uppercased(name)` are swift-mustache's alone.
            if !atEnd && (current == "(" || current == ")") { throw Unsupported() }
            while !atEnd && current.isWhitespace { i += 1 }
            guard matches(close) else { throw Unsupported() }
            i += close.count
            return name
        }

        mutating func readPartialName() throws -> String {
            var name = ""
            while !atEnd && Self.partialNameChars.contains(current) { name.append(current); i += 1 }
            while !atEnd && current.isWhitespace { i += 1 }
            guard matches(close) else { throw Unsupported() }
            i += close.count
            return name
        }

        mutating func skipComment() throws {
            while !atEnd && !matches(close) { i += 1 }
            guard !atEnd else { throw Unsupported() }
            i += close.count
        }

        mutating func setDelimiters() throws {
            while !atEnd && current.isWhitespace { i += 1 }
            var start: [Character] = []
            while !atEnd && !current.isWhitespace { start.append(current); i += 1 }
            while !atEnd && current.isWhitespace { i += 1 }
            var end: [Character] = []
            while !atEnd && current != "=" && !current.isWhitespace { end.append(current); i += 1 }
            while !atEnd && current.isWhitespace { i += 1 }
            guard !atEnd, current == "=" else { throw Unsupported() }
            i += 1
            guard matches(close), !start.isEmpty, !end.isEmpty else { throw Unsupported() }
            i += close.count
            open = start
            close = end
        }

        /// A tag alone on its line: the rest of the line is only spaces; consumes it and its newline.
        mutating func standalone() -> Bool {
            guard newLine else { return false }
            if atEnd { return true }
            var j = i
            while j < chars.count && (chars[j] == " " || chars[j] == "\t") { j += 1 }
            if j < chars.count && chars[j].isNewline {
                i = j + 1
                return true
            }
            return false
        }
    }
}

