/// The GFM table step: plain cmark reads a pipe table as a paragraph (or as a setext heading
/// when a `---` line follows it). This step runs over the converted tree, finds the paragraphs
/// whose source lines form a table (`GFMTable` has the rules) and puts table nodes in their
/// place, each cell's text parsed as inline Markdown by cmark.
enum TableStep {
    /// Replaces, in `doc` (converted from `source`), every paragraph or setext heading that holds
    /// a table.
    static func apply(to doc: inout MarkdownDocument, source: UnsafeBufferPointer<UInt8>) {
        guard GFMTable.mayHoldTable(source) else { return }
        let definitions = LinkDefinitions.mayDefineLinks(source)
            ? LinkDefinitions(source: Array(source)) : nil
        apply(to: &doc, source: source, definitions: definitions)
    }

    /// The same, with the link reference definitions that the step's own parses of cells and
    /// lines are given (those of the whole document, not of the piece at hand).
    private static func apply(to doc: inout MarkdownDocument, source: UnsafeBufferPointer<UInt8>,
                              definitions: LinkDefinitions?) {
        guard GFMTable.mayHoldTable(source) else { return }
        let lines = SourceLines(bytes: source)
        // Every table is found on the tree as cmark made it, before any is put in.
        var found: [(node: Int32, lines: [GFMTable.Line], headerFrom: Int)] = []
        for n in doc.descendants(of: MarkdownDocument.root) {
            let node = doc[n]
            // Both can span several lines; an ATX heading cannot.
            guard node.kind == .paragraph || node.kind == .heading, node.endLine > node.line,
                  let (table, headerFrom) = tableLines(doc, n, lines: lines, setext: node.kind == .heading) else { continue }
            found.append((n, table, headerFrom))
        }
        guard !found.isEmpty else { return }
        for (node, table, headerFrom) in found {
            let holder = doc.appendDetached(MarkdownNode(kind: .customBlock))
            if appendTable(table, headerFrom: headerFrom, underline: doc[node].kind == .heading,
                           to: holder, builder: &doc, definitions: definitions) {
                doc.replace(node, withChildrenOf: holder)
            }
        }
    }

    /// The source lines of a paragraph (or setext heading) with its container prefixes (`>`
    /// markers, list item indentation) removed, when it may hold a table. A line that lacks a
    /// prefix is marked lazy. `headerFrom` is the first line that may be a header row.
    private static func tableLines(_ doc: MarkdownDocument, _ node: Int32, lines: SourceLines,
                                   setext: Bool) -> (lines: [GFMTable.Line], headerFrom: Int)? {
        let start = Int(doc[node].line), end = Int(doc[node].endLine)
        // The containers around the paragraph, outermost first: a block quote (nil) or the
        // column where a list item's content starts.
        var containers: [Int?] = []
        var p = doc[node].parent
        while p >= 0 {
            if doc[p].kind == .blockQuote {
                containers.append(nil)
            } else if doc[p].kind == .item {
                containers.append(itemContentColumn(doc, p, lines: lines))
            }
            p = doc[p].parent
        }
        containers.reverse()
        let firstColumn = Int(doc[node].column)
        var out: [GFMTable.Line] = []
        out.reserveCapacity(end - start + 1)
        for lineNumber in start...end {
            guard var line = lines.line(lineNumber) else { break }
            var column = 1
            var lazy = false
            if lineNumber == start {
                let skip = min(max(firstColumn - 1, 0), line.count)
                line = line.dropFirst(skip)
                column += skip
            } else {
                for container in containers {
                    let before = line.count
                    if let contentColumn = container {
                        // Indentation up to the item's content column, a tab reaching the next
                        // multiple of four.
                        let needed = contentColumn - column
                        var width = 0, count = 0
                        for b in line {
                            guard width < needed, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") else { break }
                            width = b == UInt8(ascii: "\t") ? width + 4 - width % 4 : width + 1
                            count += 1
                        }
                        if width < needed { lazy = true; break }
                        line = line.dropFirst(count)
                    } else {
                        line = GFMTable.dropQuoteMarker(line)
                        if line.count == before { lazy = true; break }
                    }
                    column += before - line.count
                }
            }
            out.append(GFMTable.Line(number: Int32(lineNumber), column: Int32(column), text: line, lazy: lazy))
        }
        if setext {
            // cmark 0.30 ends a setext heading where the next block starts, so find its
            // underline: the first line after the first that is one.
            guard let underline = out.indices.dropFirst().first(where: {
                !out[$0].lazy && GFMTable.isSetextUnderline(out[$0].text)
            }) else { return nil }
            out.removeSubrange((underline + 1)...)
        }
        let headerFrom = definitionLines(out)
        return GFMTable.mayBeTable(out[headerFrom...]) ? (out, headerFrom) : nil
    }

    /// How many of the first lines are link reference definitions followed by a setext
    /// underline: cmark (like cmark-gfm) then makes the underline the start of a paragraph, but
    /// still counts the definitions in the paragraph's start line; they cannot be a header row.
    /// Definitions followed by other lines can, as in cmark-gfm. Looked for only when the first
    /// line starts with `[`, in at most 64 lines.
    private static func definitionLines(_ lines: [GFMTable.Line]) -> Int {
        guard let first = lines.first,
              first.text.first(where: { $0 != UInt8(ascii: " ") }) == UInt8(ascii: "[") else { return 0 }
        var count = 0
        var text: [UInt8] = []
        for j in 0..<min(lines.count - 1, 64) {
            if j > 0 { text.append(UInt8(ascii: "\n")) }
            text.append(contentsOf: lines[j].text)
            if text.withUnsafeBufferPointer({ CommonMark.holdsNoBlock($0) }) { count = j + 1 }
        }
        return count < lines.count && GFMTable.isSetextUnderline(lines[count].text) ? count : 0
    }

    /// The 1-based column where a list item's content starts: its first block's column when
    /// that starts on the marker's line, else one space past the marker.
    private static func itemContentColumn(_ doc: MarkdownDocument, _ item: Int32, lines: SourceLines) -> Int {
        let line = doc[item].line
        let column = Int(doc[item].column)
        let child = doc[item].firstChild
        if child >= 0, doc[child].line == line { return Int(doc[child].column) }
        guard let text = lines.line(Int(line)), column >= 1, column <= text.count else { return column + 2 }
        let marker = text.dropFirst(column - 1)
        let digits = marker.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        return column + (digits > 0 ? digits + 1 : 1) + 1
    }

    /// Whether a table body line starts a block of its own in cmark-gfm, where a table, unlike a
    /// paragraph, is also ended by an empty list item, a list starting at another number than
    /// 1, a thematic break `---` or a lone HTML tag. Such lines are parsed alone to find out.
    private static func startsBlock(_ text: ArraySlice<UInt8>) -> Bool {
        let t = text.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = t.first else { return false }
        switch first {
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "<"):
            break
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            let rest = t.drop { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard rest.first == UInt8(ascii: ".") || rest.first == UInt8(ascii: ")") else { return false }
        default:
            return false
        }
        return Array(t).withUnsafeBufferPointer { CommonMark.startsWithOtherBlock($0) }
    }

    /// Appends a table below `parent`, with the lines before its header row and after its last
    /// row as blocks of their own. Returns false when the lines do not form a table.
    private static func appendTable(_ lines: [GFMTable.Line], headerFrom: Int, underline: Bool, to parent: Int32,
                                    builder: inout MarkdownDocument, definitions: LinkDefinitions?) -> Bool {
        guard let table = GFMTable.parse(lines, headerFrom: headerFrom, underline: underline,
                                         startsBlock: startsBlock) else { return false }
        if table.headerLine > 0 {
            // Lines before the header row stay a paragraph of their own, as in cmark-gfm.
            appendBlocks(lines[0..<table.headerLine], to: parent, builder: &builder, definitions: definitions,
                         tables: false)
        }
        let cells = table.rows.flatMap { $0.cells }
        let inline = parseCells(cells.map { $0.text }, definitions: definitions)
        let last = lines[table.end - 1]
        var tableNode = MarkdownNode(kind: .table)
        tableNode.line = lines[table.headerLine].number
        tableNode.column = lines[table.headerLine].column
        tableNode.endLine = last.number
        tableNode.endColumn = last.column + Int32(last.text.count) - 1
        let tableIndex = builder.append(tableNode, to: parent)
        var cellIndex = 0
        for (rowNumber, row) in table.rows.enumerated() {
            var rowNode = MarkdownNode(kind: rowNumber == 0 ? .tableHead : .tableRow)
            rowNode.line = row.line
            rowNode.endLine = row.line
            let rowIndex = builder.append(rowNode, to: tableIndex)
            for (column, cell) in row.cells.enumerated() {
                var cellNode = MarkdownNode(kind: .tableCell)
                cellNode.line = row.line
                cellNode.column = cell.column
                cellNode.endLine = row.line
                cellNode.alignment = column < table.alignments.count ? table.alignments[column] : .none
                let cellNodeIndex = builder.append(cellNode, to: rowIndex)
                if let paragraph = inline.paragraphs[cellIndex] {
                    // The cell text was parsed behind a two-byte no-break space (see parseCells).
                    builder.graft(childrenOf: paragraph, from: inline.document, to: cellNodeIndex) { _ in (row.line, cell.column - 3) }
                }
                cellIndex += 1
            }
        }
        if table.end < lines.count {
            // The line that ended the table and those after it: a block start, a lazy line, or
            // rows after a lone `|`; they may hold another table.
            appendBlocks(lines[table.end...], to: parent, builder: &builder, definitions: definitions, tables: true)
        }
        return true
    }

    /// Parses some lines of a paragraph again, as blocks of their own, and appends those below
    /// `parent` at the lines' source positions.
    private static func appendBlocks(_ lines: ArraySlice<GFMTable.Line>, to parent: Int32,
                                     builder: inout MarkdownDocument, definitions: LinkDefinitions?, tables: Bool) {
        var text: [UInt8] = []
        for (k, line) in lines.enumerated() {
            if k > 0 { text.append(UInt8(ascii: "\n")) }
            text.append(contentsOf: line.text)
        }
        let sub = parseFragment(text, definitions: definitions, tables: tables)
        builder.graft(childrenOf: MarkdownDocument.root, from: sub, to: parent) { line in
            let source = lines[lines.startIndex + min(max(Int(line) - 1, 0), lines.count - 1)]
            return (source.number, source.column - 1)
        }
    }

    /// Parses a piece of the document (a footnote's text) as blocks of their own, tables
    /// included, with the document's link reference definitions.
    static func parseBlocks(_ text: [UInt8], definitions: LinkDefinitions?) -> MarkdownDocument {
        parseFragment(text, definitions: definitions, tables: true)
    }

    /// Parses a piece of the document on its own, with the link reference definitions of the
    /// whole document, which cmark only resolves within one parse: when the piece may hold a
    /// reference link, the definitions are appended behind an HTML comment that closes every
    /// open block, and are not converted.
    private static func parseFragment(_ text: [UInt8], definitions: LinkDefinitions?, tables: Bool) -> MarkdownDocument {
        func parse(_ bytes: [UInt8], stopLine: Int32, definitions: LinkDefinitions?) -> MarkdownDocument {
            bytes.withUnsafeBufferPointer { buffer in
                var doc = CommonMark.convert(buffer, stopLine: stopLine)
                if tables { apply(to: &doc, source: buffer, definitions: definitions) }
                return doc
            }
        }
        guard text.contains(UInt8(ascii: "[")), let written = definitions?.text(for: text), !written.isEmpty else {
            return parse(text, stopLine: .max, definitions: nil)
        }
        let stopLine = Int32(text.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }) + 2
        let doc = parse(text + Array("\n\n<!-- -->\n\n".utf8) + written, stopLine: stopLine, definitions: definitions)
        // A block that ran on into the appended text (an unclosed fence): parse without it.
        if doc.children(of: MarkdownDocument.root).contains(where: { doc[$0].endLine >= stopLine }) {
            return parseFragment(text, definitions: nil, tables: tables)
        }
        return doc
    }

    /// Parses table cells as inline Markdown with cmark, all cells of a table in one document:
    /// the paragraph of each non-empty cell.
    ///
    /// Each non-empty cell becomes a paragraph of its own, written behind a no-break space: that
    /// keeps cmark from reading `# x`, `- x`, `1. x`, `<div>` or `[a]: b` at the start of a cell
    /// as a block, and still counts as whitespace for the emphasis rules, as the start of a line
    /// would. The space is removed again from the converted text.
    private static func parseCells(_ cells: [String], definitions: LinkDefinitions?)
        -> (document: MarkdownDocument, paragraphs: [Int32?]) {
        var text: [UInt8] = []
        var slots: [Int] = []
        for (i, cell) in cells.enumerated() where !cell.isEmpty {
            if !text.isEmpty { text += [0x0A, 0x0A] }
            text += [0xC2, 0xA0]
            text += cell.utf8
            slots.append(i)
        }
        var result = [Int32?](repeating: nil, count: cells.count)
        guard !slots.isEmpty else { return (MarkdownDocument(), result) }
        var doc = parseFragment(text, definitions: definitions, tables: false)
        let paragraphs = Array(doc.children(of: MarkdownDocument.root))
        guard paragraphs.count == slots.count, paragraphs.allSatisfy({ doc[$0].kind == .paragraph }) else {
            return (doc, result)
        }
        for paragraph in paragraphs {
            let first = doc[paragraph].firstChild
            if first >= 0, doc[first].kind == .text, doc.bytes(doc[first].literal).starts(with: [0xC2, 0xA0]) {
                doc.nodes[Int(first)].literal.start += 2
                doc.nodes[Int(first)].literal.count -= 2
                doc.nodes[Int(first)].column += 2
                if doc[first].literal.count == 0 { doc.unlink(first) }
            }
        }
        for (slot, paragraph) in zip(slots, paragraphs) { result[slot] = paragraph }
        return (doc, result)
    }
}
