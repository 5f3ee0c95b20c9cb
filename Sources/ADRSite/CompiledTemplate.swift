/// A value handed to templates: the view models of templates/README.md are built from these.
public indirect enum TemplateValue: Sendable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case string(String)
    case bool(Bool)
    case int(Int)
    case list([TemplateValue])
    case object([String: TemplateValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public static func strings(_ values: [String]) -> TemplateValue { .list(values.map { .string($0) }) }

    /// The same value as plain Swift values, for swift-mustache.
    var any: Any {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b
        case .int(let i): return i
        case .list(let items): return items.map(\.any)
        case .object(let values): return values.mapValues(\.any)
        }
    }
}

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
        case section(path: Path, inverted: Bool, body: [Node])
        case partial(name: String, indentation: [UInt8]?)
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
        let first: String?
        /// The keys looked up in turn in what `first` found.
        let rest: [String]

        init(_ parts: [String]) {
            if parts.count == 1 && parts[0] == "." {
                (start, first, rest) = (.current, nil, [])
            } else if parts[0].isEmpty {
                (start, first, rest) = (.currentObject, parts.count > 1 ? parts[1] : nil, Array(parts.dropFirst(2)))
            } else {
                (start, first, rest) = (.stack, parts[0], Array(parts.dropFirst()))
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

        init(_ chars: [Character]) { self.chars = chars }

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
                    nodes.append(.section(path: Self.path(name), inverted: inverted, body: body))
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
                    i += 1
                    while !atEnd && current.isWhitespace { i += 1 }
                    if !atEnd && current == "*" { throw Unsupported() }
                    let name = try readPartialName()
                    if !whitespaceBefore.isEmpty { text(whitespaceBefore) }
                    if standalone() {
                        setNewLine = true
                        nodes.append(.partial(name: name, indentation: Array(String(whitespaceBefore).utf8)))
                    } else {
                        nodes.append(.partial(name: name, indentation: nil))
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

/// Renders compiled templates into bytes.
///
/// The templates are flattened into one program of plain values (text as ranges of one byte
/// buffer, names and partials as indices, a section as the index its body ends at): every core
/// renders pages through the same templates, and walking a tree of reference-counted nodes made
/// both cores retain and release the same objects for every tag of every page.
struct TemplateRenderer: Sendable {
    private enum Op: Sendable {
        case text(start: Int32, end: Int32)
        case variable(path: Int32, escaped: Bool)
        /// The body is the ops after this one, up to `end` (where the next op is).
        case section(path: Int32, inverted: Bool, end: Int32)
        /// `template` -1: no such template; `indentation` -1: an inline partial.
        case partial(template: Int32, indentation: Int32)
    }

    /// What the templates were flattened into, while it is built.
    private struct Parts {
        var ops: [Op] = []
        var text: [UInt8] = []
        var paths: [CompiledTemplate.Path] = []
        var indentations: [[UInt8]] = []
        var ranges: [Range<Int>] = []
        var index: [String: Int] = [:]
    }

    /// The program in buffers of its own: reading an op or a text range retains nothing. It is
    /// never changed after `init`, so cores share it freely. (Measured on 10,000 records: retains
    /// and releases called from the renderer were 5.7% of the samples with the template tree,
    /// 3.6–3.9% with the program in plain arrays, 2.8–3.2% with these buffers.)
    private final class Program: @unchecked Sendable {
        let ops: UnsafeBufferPointer<Op>
        let text: UnsafeBufferPointer<UInt8>
        let paths: UnsafeBufferPointer<CompiledTemplate.Path>
        let indentations: [[UInt8]]
        let ranges: [Range<Int>]
        let index: [String: Int]

        init(_ parts: Parts) {
            func copy<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
                let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: array.count)
                _ = buffer.initialize(from: array)
                return UnsafeBufferPointer(buffer)
            }
            ops = copy(parts.ops)
            text = copy(parts.text)
            paths = copy(parts.paths)
            indentations = parts.indentations
            ranges = parts.ranges
            index = parts.index
        }

        deinit {
            ops.deallocate()
            text.deallocate()
            UnsafeMutableBufferPointer(mutating: paths).deinitialize().deallocate()
        }
    }

    private let program: Program

    init(templates: [String: CompiledTemplate]) {
        var p = Parts()
        let names = templates.keys.sorted()
        for (k, name) in names.enumerated() { p.index[name] = k }
        func flatten(_ nodes: [CompiledTemplate.Node]) {
            for node in nodes {
                switch node {
                case .text(let bytes):
                    p.ops.append(.text(start: Int32(p.text.count), end: Int32(p.text.count + bytes.count)))
                    p.text.append(contentsOf: bytes)
                case .variable(let path, let escaped):
                    p.paths.append(path)
                    p.ops.append(.variable(path: Int32(p.paths.count - 1), escaped: escaped))
                case .section(let path, let inverted, let body):
                    p.paths.append(path)
                    let pathIndex = Int32(p.paths.count - 1)
                    let at = p.ops.count
                    p.ops.append(.section(path: pathIndex, inverted: inverted, end: 0))
                    flatten(body)
                    p.ops[at] = .section(path: pathIndex, inverted: inverted, end: Int32(p.ops.count))
                case .partial(let name, let indentation):
                    var indent: Int32 = -1
                    if let indentation {
                        p.indentations.append(indentation)
                        indent = Int32(p.indentations.count - 1)
                    }
                    p.ops.append(.partial(template: Int32(p.index[name] ?? -1), indentation: indent))
                }
            }
        }
        for name in names {
            let start = p.ops.count
            flatten(templates[name]!.nodes)
            p.ranges.append(start..<p.ops.count)
        }
        program = Program(p)
    }

    func render(_ name: String, _ value: TemplateValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16384)
        guard let k = program.index[name] else { return out }
        var stack: [TemplateValue] = [value]
        render(program.ranges[k], stack: &stack, indentation: nil, into: &out)
        return out
    }

    /// Where the op after the one at `i` is: past the body of a section.
    private func after(_ i: Int) -> Int {
        if case .section(_, _, let end) = program.ops[i] { return Int(end) }
        return i + 1
    }

    private func render(_ range: Range<Int>, stack: inout [TemplateValue], indentation: [UInt8]?,
                        into out: inout [UInt8]) {
        if let indentation, !indentation.isEmpty {
            // As swift-mustache does: each piece of output that starts a line of this template is indented.
            var local: [UInt8] = []
            var i = range.lowerBound
            while i < range.upperBound {
                var piece: [UInt8] = []
                render(i, stack: &stack, indentation: indentation, pieceInto: &piece)
                if !piece.isEmpty && local.last == 0x0A { local.append(contentsOf: indentation) }
                local.append(contentsOf: piece)
                i = after(i)
            }
            out.append(contentsOf: local)
            return
        }
        var i = range.lowerBound
        while i < range.upperBound {
            render(i, stack: &stack, indentation: nil, pieceInto: &out)
            i = after(i)
        }
    }

    /// Renders the op at `i` (a section with its body).
    private func render(_ i: Int, stack: inout [TemplateValue], indentation: [UInt8]?, pieceInto out: inout [UInt8]) {
        switch program.ops[i] {
        case .text(let start, let end):
            out.append(contentsOf: UnsafeBufferPointer(rebasing: program.text[Int(start)..<Int(end)]))
        case .variable(let path, let escaped):
            guard let value = lookup(program.paths[Int(path)], in: stack) else { return }
            switch value {
            case .string(let s): escaped ? escape(s, into: &out) : out.append(contentsOf: s.utf8)
            case .int(let n): out.append(contentsOf: String(n).utf8)
            case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
            case .list, .object: break
            }
        case .section(let path, let inverted, let end):
            let body = (i + 1)..<Int(end)
            let value = lookup(program.paths[Int(path)], in: stack)
            if inverted {
                switch value {
                case nil, .bool(false)?: render(body, stack: &stack, indentation: indentation, into: &out)
                case .list(let items)? where items.isEmpty: render(body, stack: &stack, indentation: indentation, into: &out)
                default: break
                }
                return
            }
            switch value {
            case nil, .bool(false)?:
                break
            case .bool(true)?:
                render(body, stack: &stack, indentation: indentation, into: &out)
            case .list(let items)?:
                for item in items {
                    stack.append(item)
                    render(body, stack: &stack, indentation: indentation, into: &out)
                    stack.removeLast()
                }
            case let v?:
                stack.append(v)
                render(body, stack: &stack, indentation: indentation, into: &out)
                stack.removeLast()
            }
        case .partial(let template, let indent):
            guard template >= 0 else { return }
            let own: [UInt8]? = indent >= 0 ? program.indentations[Int(indent)] : nil
            let combined: [UInt8]? = own.map { (indentation ?? []) + $0 } ?? indentation
            // A partial pushes and pops what it pushes: the same stack serves.
            render(program.ranges[Int(template)], stack: &stack, indentation: combined, into: &out)
        }
    }

    /// A name looked up in the context stack, innermost first; `a.b` then in what `a` found.
    private func lookup(_ path: CompiledTemplate.Path, in stack: [TemplateValue]) -> TemplateValue? {
        var found: TemplateValue?
        switch path.start {
        case .current:
            return stack.last
        case .currentObject:
            guard case .object(let values)? = stack.last else { return nil }
            found = path.first.flatMap { values[$0] }
        case .stack:
            let name = path.first!
            var k = stack.count - 1
            while k >= 0 {
                if case .object(let values) = stack[k], let v = values[name] {
                    found = v
                    break
                }
                k -= 1
            }
        }
        return path.rest.isEmpty ? found : descend(found, path.rest)
    }

    private func descend(_ value: TemplateValue?, _ rest: [String]) -> TemplateValue? {
        var current = value
        for name in rest {
            guard case .object(let values)? = current else { return nil }
            current = values[name]
        }
        return current
    }

    /// swift-mustache's HTML escaping: `<`, `>`, `&`, `"` and `'`.
    private func escape(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            // Most values need no escaping: copy the runs between special bytes whole.
            var start = 0
            for (k, b) in bytes.enumerated() {
                let entity: StaticString
                switch b {
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&#39;"
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<k]))
                out.append(contentsOf: UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount))
                start = k + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }
}
