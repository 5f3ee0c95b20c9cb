import ADRCore
/// Renders compiled templates into bytes.
///
/// Rendering is bounded: a page larger than `maxOutput` bytes (nested sections over long lists
/// multiply), more than `maxSteps` section bodies and partials rendered, or sections and
/// partials nested deeper than `maxDepth` stop it with an error that names the template and
/// the tag being rendered.
///
/// The templates are flattened into one program of plain values (text as ranges of one byte
/// buffer, names and partials as indices, a section as the index its body ends at): every core
/// renders pages through the same templates, and walking a tree of reference-counted nodes made
/// both cores retain and release the same objects for every tag of every page.
struct TemplateRenderer: Sendable {
    /// Largest page, in bytes.
    static let maxOutput = 64 << 20
    /// Deepest nesting of sections and partials while rendering.
    static let maxDepth = 256
    /// Most sections, items and partials one page may render (sections over long lists nested
    /// in each other can loop for hours while making nothing).
    static let maxSteps = 16_000_000
    static let tooLargeMessage = "the page is larger than \(maxOutput >> 20) MB; stopped (do sections over long lists nest?)"

    /// Why rendering stopped: the template and the place of the section or partial at work.
    struct Failure: Error {
        var template: String?
        var line: Int
        var column: Int
        var message: String
    }

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
        var places: [Int: CompiledTemplate.Place] = [:]
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
        /// Where each section and partial op's tag is (read only for errors).
        let places: [Int: CompiledTemplate.Place]

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
            places = parts.places
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
                case .section(let path, let inverted, let body, let place):
                    p.paths.append(path)
                    let pathIndex = Int32(p.paths.count - 1)
                    let at = p.ops.count
                    p.places[at] = place
                    p.ops.append(.section(path: pathIndex, inverted: inverted, end: 0))
                    flatten(body)
                    p.ops[at] = .section(path: pathIndex, inverted: inverted, end: Int32(p.ops.count))
                case .partial(let name, let indentation, let place):
                    p.places[p.ops.count] = place
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

    /// What one page's rendering carries along: the context stack, the depth, how many bytes
    /// were made, and the op at which a limit stopped it.
    private struct Walk {
        var stack: [TemplateValue]
        var depth = 0
        var steps = 0
        var produced = 0
        /// The innermost section or partial op being rendered; -1 at the top of the page.
        var at = -1
        var stoppedAt: Int?
        var reason = ""

        /// Counts `count` bytes more of the page; stops at `maxOutput`.
        mutating func made(_ count: Int) {
            produced += count
            if produced > TemplateRenderer.maxOutput { stop(at, TemplateRenderer.tooLargeMessage) }
        }

        mutating func stop(_ op: Int, _ why: String) {
            if stoppedAt == nil { stoppedAt = op; reason = why }
        }
    }

    func render(_ name: String, _ value: TemplateValue) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16384)
        guard let k = program.index[name] else { return out }
        var walk = Walk(stack: [value])
        render(program.ranges[k], walk: &walk, indentation: nil, into: &out)
        if let op = walk.stoppedAt {
            let place = program.places[op] ?? CompiledTemplate.Place(line: 1, column: 1)
            let template = op < 0 ? name : program.ranges.firstIndex { $0.contains(op) }
                .flatMap { i in program.index.first { $0.value == i }?.key }
            throw Failure(template: template, line: place.line, column: place.column, message: walk.reason)
        }
        return out
    }

    /// Where the op after the one at `i` is: past the body of a section.
    private func after(_ i: Int) -> Int {
        if case .section(_, _, let end) = program.ops[i] { return Int(end) }
        return i + 1
    }

    /// The ops of `range`, each piece indented when `indentation` is set.
    private func render(_ range: Range<Int>, walk: inout Walk, indentation: [UInt8]?,
                        into out: inout [UInt8]) {
        if let indentation, !indentation.isEmpty {
            // As swift-mustache does: each piece of output that starts a line of this template is
            // indented; a line that ends with CR LF ends with the character "\r\n", which is not
            // "\n" to swift-mustache, so the piece after it is not indented.
            var local: [UInt8] = []
            var i = range.lowerBound
            while i < range.upperBound && walk.stoppedAt == nil {
                var piece: [UInt8] = []
                render(i, walk: &walk, indentation: indentation, pieceInto: &piece)
                if !piece.isEmpty && local.last == 0x0A && (local.count < 2 || local[local.count - 2] != 0x0D) {
                    local.append(contentsOf: indentation)
                    walk.made(indentation.count)
                }
                local.append(contentsOf: piece)
                i = after(i)
            }
            out.append(contentsOf: local)
            return
        }
        var i = range.lowerBound
        while i < range.upperBound && walk.stoppedAt == nil {
            render(i, walk: &walk, indentation: nil, pieceInto: &out)
            i = after(i)
        }
    }

    /// A section's body or a partial, one level deeper; stops at `maxDepth`.
    private func descend(_ op: Int, _ range: Range<Int>, walk: inout Walk, indentation: [UInt8]?, into out: inout [UInt8]) {
        guard walk.depth < Self.maxDepth else {
            return walk.stop(op, "sections and partials nest more than \(Self.maxDepth) deep while rendering; stopped")
        }
        walk.steps += 1
        guard walk.steps <= Self.maxSteps else {
            return walk.stop(op, "the page renders more than \(Self.maxSteps) sections and partials; stopped (do sections over long lists nest?)")
        }
        let outer = walk.at
        walk.depth += 1
        walk.at = op
        render(range, walk: &walk, indentation: indentation, into: &out)
        walk.depth -= 1
        walk.at = outer
    }

    /// Renders the op at `i` (a section with its body).
    private func render(_ i: Int, walk: inout Walk, indentation: [UInt8]?, pieceInto out: inout [UInt8]) {
        switch program.ops[i] {
        case .text(let start, let end):
            out.append(contentsOf: UnsafeBufferPointer(rebasing: program.text[Int(start)..<Int(end)]))
            walk.made(Int(end - start))
        case .variable(let path, let escaped):
            guard let value = lookup(program.paths[Int(path)], in: walk.stack) else { return }
            let before = out.count
            defer { walk.made(out.count - before) }
            switch value {
            case .string(var s): s.withUTF8 { put($0, escaped: escaped, into: &out) }
            case .utf8(let bytes): bytes.withUnsafeBufferPointer { put($0, escaped: escaped, into: &out) }
            case .int(let n): out.append(contentsOf: String(n).utf8)
            case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
            case .list, .object: break
            }
        case .section(let path, let inverted, let end):
            let body = (i + 1)..<Int(end)
            let value = lookup(program.paths[Int(path)], in: walk.stack)
            if inverted {
                switch value {
                case nil, .bool(false)?: descend(i, body, walk: &walk, indentation: indentation, into: &out)
                case .list(let items)? where items.isEmpty: descend(i, body, walk: &walk, indentation: indentation, into: &out)
                default: break
                }
                return
            }
            switch value {
            case nil, .bool(false)?:
                break
            case .bool(true)?:
                descend(i, body, walk: &walk, indentation: indentation, into: &out)
            case .list(let items)?:
                for item in items where walk.stoppedAt == nil {
                    walk.stack.append(item)
                    descend(i, body, walk: &walk, indentation: indentation, into: &out)
                    walk.stack.removeLast()
                }
            case let v?:
                walk.stack.append(v)
                descend(i, body, walk: &walk, indentation: indentation, into: &out)
                walk.stack.removeLast()
            }
        case .partial(let template, let indent):
            guard template >= 0 else { return }
            let own: [UInt8]? = indent >= 0 ? program.indentations[Int(indent)] : nil
            let combined: [UInt8]? = own.map { (indentation ?? []) + $0 } ?? indentation
            // A partial pushes and pops what it pushes: the same stack serves.
            descend(i, program.ranges[Int(template)], walk: &walk, indentation: combined, into: &out)
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

    private func descend(_ value: TemplateValue?, _ rest: [TemplateKey]) -> TemplateValue? {
        var current = value
        for name in rest {
            guard case .object(let values)? = current else { return nil }
            current = values[name]
        }
        return current
    }

    /// A value's text, escaped as swift-mustache escapes HTML (`&`, `<`, `>`, `"` and `'`) or as it is.
    private func put(_ bytes: UnsafeBufferPointer<UInt8>, escaped: Bool, into out: inout [UInt8]) {
        if escaped { HTMLEscape.escape(bytes, into: &out, apostrophe: true) } else { out.append(contentsOf: bytes) }
    }
}
