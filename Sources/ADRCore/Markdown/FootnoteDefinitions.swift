/// Footnote definitions (`[^label]: text`), found in the source before cmark reads the document
/// for good: plain cmark would read `[^1]: https://x` as a link reference definition and drop
/// it, and make a definition's indented lines code. So the lines of each definition are
/// emptied (keeping every line number), the rest is parsed as usual, and each definition's
/// text is parsed on its own and put into the tree at its source positions.
///
/// The rules are cmark-gfm's: a definition starts a line (indented at most three spaces) at
/// the top level of the document, interrupting a paragraph; it goes on over blank lines,
/// lines indented four or more columns (those four are taken off) and lazy continuation lines
/// of a paragraph. Definitions inside list items or block quotes are left to cmark.
struct FootnoteDefinitions {
    struct Definition {
        /// The label as written, between `[^` and `]`.
        var label: [UInt8]
        var line: Int32
        var column: Int32
        /// The definition's text, its lines joined by `\n`.
        var content: [UInt8]
        /// For each line of `content`: its source line, and how many bytes of the source line
        /// come before it.
        var origins: [(line: Int32, shift: Int32)]
    }

    var definitions: [Definition] = []
    /// The source with the definitions' lines emptied.
    var blanked: [UInt8] = []

    /// Whether a text may hold a footnote definition.
    static func mayDefine(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.containsSequence("[^") && bytes.containsSequence("]:")
    }

    /// The definitions of `source`, given cmark's plain tree of it; nil when it has none.
    static func extract(_ source: UnsafeBufferPointer<UInt8>, tree: MarkdownDocument) -> FootnoteDefinitions? {
        let lines = SourceLines(bytes: source)
        let top = Array(tree.children(of: MarkdownDocument.root))
        var out = FootnoteDefinitions()
        var taken = [Bool](repeating: false, count: lines.count + 2)
        var number = 1
        while number <= lines.count {
            guard let line = lines.line(number), let (label, contentStart) = start(line),
                  atTopLevel(number, line, tree: tree, top: top) else { number += 1; continue }
            var definition = Definition(label: Array(label), line: Int32(number),
                                        column: Int32(line.count - line.drop(while: { $0 == 0x20 }).count + 1),
                                        content: Array(line[contentStart...]),
                                        origins: [(Int32(number), Int32(contentStart - line.startIndex))])
            taken[number] = true
            var next = number + 1
            var blanks = 0
            // The line taken last was a lazy line: the definition ends in an open paragraph.
            var inParagraph = false
            while next <= lines.count, let text = lines.line(next) {
                if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    blanks += 1
                    next += 1
                    continue
                }
                let (indented, rest) = dedent(text, columns: 4)
                let lazy = !indented && blanks == 0 && start(text) == nil
                    && (inParagraph && startsNoBlock(text) || continuesParagraph(definition.content, text))
                guard indented || lazy else { break }
                inParagraph = lazy
                for k in (next - blanks)..<next {
                    definition.content.append(0x0A)
                    definition.origins.append((Int32(k), 0))
                    taken[k] = true
                }
                blanks = 0
                definition.content.append(0x0A)
                definition.content += lazy ? Array(text) : rest
                definition.origins.append((Int32(next), lazy ? 0 : Int32(text.count - rest.count)))
                taken[next] = true
                next += 1
            }
            out.definitions.append(definition)
            number = next - blanks
        }
        guard !out.definitions.isEmpty else { return nil }
        out.blanked.reserveCapacity(source.count)
        for k in 1...max(lines.count, 1) {
            guard let range = lines.range(k) else { break }
            if !taken[k] { out.blanked.append(contentsOf: source[range.start..<range.contentEnd]) }
            out.blanked.append(contentsOf: source[range.contentEnd..<range.end])
        }
        return out
    }

    /// `[^label]:` at the start of a line (after at most three spaces): the label, and where
    /// the definition's text starts (after the spaces and tabs that follow the colon).
    static func start(_ line: ArraySlice<UInt8>) -> (label: ArraySlice<UInt8>, contentStart: Int)? {
        var i = line.startIndex
        while i < line.endIndex && line[i] == 0x20 && i - line.startIndex < 3 { i += 1 }
        guard i + 1 < line.endIndex, line[i] == UInt8(ascii: "["), line[i + 1] == UInt8(ascii: "^") else { return nil }
        let labelStart = i + 2
        var j = labelStart
        while j < line.endIndex {
            let b = line[j]
            if b == UInt8(ascii: "]") || b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A || b == 0 { break }
            j += 1
        }
        guard j > labelStart, j + 1 < line.endIndex, line[j] == UInt8(ascii: "]"), line[j + 1] == UInt8(ascii: ":") else { return nil }
        var k = j + 2
        while k < line.endIndex && (line[k] == 0x20 || line[k] == 0x09) { k += 1 }
        return (line[labelStart..<j], k)
    }

    /// Whether line `number` starts a block at the top level in cmark-gfm: cmark's plain tree
    /// has it in no block, in a paragraph or heading, or as a lazy line of a block quote or of
    /// a list item it is not indented for.
    private static func atTopLevel(_ number: Int, _ line: ArraySlice<UInt8>, tree: MarkdownDocument, top: [Int32]) -> Bool {
        guard let block = top.last(where: { Int(tree[$0].line) <= number }),
              Int(tree[block].endLine) >= number else { return true }
        switch tree[block].kind {
        case .paragraph, .heading, .blockQuote:
            return true
        case .list:
            guard let item = tree.children(of: block).reversed().first(where: { Int(tree[$0].line) <= number }) else { return true }
            let first = tree[item].firstChild
            let content = first >= 0 && tree[first].line == tree[item].line ? Int(tree[first].column) : Int(tree[item].column) + 2
            let indent = line.prefix(while: { $0 == 0x20 }).count
            return indent + 1 < content
        default:
            return false
        }
    }

    /// A line without its first `columns` columns of indentation (a tab reaching the next
    /// multiple of four; what is left of a split tab becomes spaces), when it has them.
    private static func dedent(_ line: ArraySlice<UInt8>, columns: Int) -> (Bool, [UInt8]) {
        var width = 0
        var i = line.startIndex
        while width < columns && i < line.endIndex {
            if line[i] == 0x20 { width += 1 } else if line[i] == 0x09 { width += 4 - width % 4 } else { break }
            i += 1
        }
        guard width >= columns else { return (false, []) }
        return (true, [UInt8](repeating: 0x20, count: width - columns) + line[i...])
    }

    /// Whether `line` begins, after at most three spaces, with an ASCII letter: no block of
    /// CommonMark starts so (every block start is a mark: `>`, `#`, a fence, `<`, a list marker
    /// or a digit, a rule), so in an open paragraph the line is one more line of it. This spares
    /// a definition of many plain lines a parse per line (`continuesParagraph`); the tests
    /// compare the two.
    static func startsNoBlock(_ line: ArraySlice<UInt8>) -> Bool {
        let rest = line.drop { $0 == 0x20 }
        guard let first = rest.first, line.count - rest.count <= 3 else { return false }
        return (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z")
    }

    /// Whether `line` continues the paragraph that `content` ends with (a lazy line), as cmark
    /// parses the two. Only the last 64 lines of `content` are parsed, so that a long
    /// definition costs time in proportion to its length.
    static func continuesParagraph(_ content: [UInt8], _ line: ArraySlice<UInt8>) -> Bool {
        var from = content.endIndex, lines = 0
        while from > content.startIndex && lines < 64 {
            from -= 1
            if content[from] == 0x0A { lines += 1 }
        }
        if lines == 64 { from += 1 }
        let text = content[from...] + [0x0A] + line
        let last = Int32(text.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) })
        let doc = text.withUnsafeBufferPointer { CommonMark.convert($0) }
        return doc.nodes.contains { $0.kind == .paragraph && $0.line < last && $0.endLine >= last }
    }
}
