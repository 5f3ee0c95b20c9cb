import CCmark
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that talks to libcmark. Every function here converts what it needs into Swift
/// values and frees every cmark object before it returns.
public enum CommonMark {
    /// Version of the libcmark the program runs with.
    public static var version: String { String(cString: cmark_version_string()) }

    /// Parses CommonMark text into a `MarkdownDocument`. Paragraphs whose lines form a GFM pipe
    /// table become table nodes, their cells parsed as inline Markdown by cmark (see `GFMTable`).
    public static func parse(_ text: String) -> MarkdownDocument {
        var text = text
        return text.withUTF8 { bytes in
            let lines = SourceLines(bytes: bytes)
            let converted = convert(bytes: bytes, tablesFrom: bytes.contains(UInt8(ascii: "|")) ? lines : nil)
            return converted
        }
    }

    /// cmark's own HTML rendering of `text` (safe mode unless `unsafe`). The project's renderer
    /// is tested against it.
    public static func referenceHTML(_ text: String, unsafe: Bool = false) -> String {
        var text = text
        return text.withUTF8 { bytes -> String in
            let options = unsafe ? CMARK_OPT_UNSAFE : CMARK_OPT_DEFAULT
            guard let base = bytes.baseAddress,
                  let doc = cmark_parse_document(base, bytes.count, options) else { return "" }
            defer { cmark_node_free(doc) }
            guard let html = cmark_render_html(doc, options) else { return "" }
            defer { free(html) }
            return String(cString: html)
        }
    }

    // MARK: - Conversion

    private static func convert(bytes: UnsafeBufferPointer<UInt8>, tablesFrom lines: SourceLines?) -> MarkdownDocument {
        guard let base = bytes.baseAddress,
              let doc = cmark_parse_document(base, bytes.count, CMARK_OPT_DEFAULT) else {
            return MarkdownBuilder().document
        }
        defer { cmark_node_free(doc) }
        guard let iter = cmark_iter_new(doc) else { return MarkdownBuilder().document }
        defer { cmark_iter_free(iter) }

        var builder = MarkdownBuilder(reserve: bytes.count / 24)
        var stack: [Int32] = [MarkdownDocument.root]
        // While inside a paragraph that became a table, its cmark children are skipped.
        var skipping: OpaquePointer? = nil

        while true {
            let event = cmark_iter_next(iter)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iter) else { continue }
            let type = cmark_node_get_type(node)
            if type == CMARK_NODE_DOCUMENT {
                if event == CMARK_EVENT_ENTER { builder.nodes[0].endLine = cmark_node_get_end_line(node) }
                continue
            }
            if let skip = skipping {
                if event == CMARK_EVENT_EXIT && node == skip { skipping = nil }
                continue
            }
            let isContainer = type != CMARK_NODE_TEXT && type != CMARK_NODE_SOFTBREAK
                && type != CMARK_NODE_LINEBREAK && type != CMARK_NODE_CODE
                && type != CMARK_NODE_HTML_INLINE && type != CMARK_NODE_CODE_BLOCK
                && type != CMARK_NODE_HTML_BLOCK && type != CMARK_NODE_THEMATIC_BREAK
            if event == CMARK_EVENT_EXIT {
                if isContainer { stack.removeLast() }
                continue
            }
            let parent = stack[stack.count - 1]
            if type == CMARK_NODE_PARAGRAPH, let lines {
                let start = Int(cmark_node_get_start_line(node)), end = Int(cmark_node_get_end_line(node))
                if end > start, let table = tableLines(lines: lines, node: node, start: start, end: end) {
                    if appendTable(table, paragraph: node, to: parent, builder: &builder) {
                        skipping = node
                        continue
                    }
                }
            }
            let index = builder.append(swiftNode(node, type: type), to: parent)
            if isContainer { stack.append(index) }
        }
        return builder.document
    }

    private static func swiftNode(_ node: OpaquePointer, type: cmark_node_type) -> MarkdownNode {
        var out: MarkdownNode
        switch type {
        case CMARK_NODE_BLOCK_QUOTE: out = MarkdownNode(kind: .blockQuote)
        case CMARK_NODE_LIST:
            out = MarkdownNode(kind: .list)
            if cmark_node_get_list_type(node) == CMARK_ORDERED_LIST { out.level = 1 }
            out.start = Int32(cmark_node_get_list_start(node))
            out.tight = cmark_node_get_list_tight(node) != 0
        case CMARK_NODE_ITEM: out = MarkdownNode(kind: .item)
        case CMARK_NODE_CODE_BLOCK:
            out = MarkdownNode(kind: .codeBlock)
            out.literal = string(cmark_node_get_literal(node))
            out.url = string(cmark_node_get_fence_info(node))
        case CMARK_NODE_HTML_BLOCK:
            out = MarkdownNode(kind: .htmlBlock)
            out.literal = string(cmark_node_get_literal(node))
        case CMARK_NODE_CUSTOM_BLOCK: out = MarkdownNode(kind: .customBlock)
        case CMARK_NODE_PARAGRAPH: out = MarkdownNode(kind: .paragraph)
        case CMARK_NODE_HEADING:
            out = MarkdownNode(kind: .heading)
            out.level = Int8(cmark_node_get_heading_level(node))
        case CMARK_NODE_THEMATIC_BREAK: out = MarkdownNode(kind: .thematicBreak)
        case CMARK_NODE_TEXT:
            out = MarkdownNode(kind: .text)
            out.literal = string(cmark_node_get_literal(node))
        case CMARK_NODE_SOFTBREAK: out = MarkdownNode(kind: .softBreak)
        case CMARK_NODE_LINEBREAK: out = MarkdownNode(kind: .lineBreak)
        case CMARK_NODE_CODE:
            out = MarkdownNode(kind: .code)
            out.literal = string(cmark_node_get_literal(node))
        case CMARK_NODE_HTML_INLINE:
            out = MarkdownNode(kind: .htmlInline)
            out.literal = string(cmark_node_get_literal(node))
        case CMARK_NODE_CUSTOM_INLINE: out = MarkdownNode(kind: .customInline)
        case CMARK_NODE_EMPH: out = MarkdownNode(kind: .emphasis)
        case CMARK_NODE_STRONG: out = MarkdownNode(kind: .strong)
        case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
            out = MarkdownNode(kind: type == CMARK_NODE_LINK ? .link : .image)
            out.url = string(cmark_node_get_url(node))
            out.title = string(cmark_node_get_title(node))
        default:
            out = MarkdownNode(kind: .customBlock)
        }
        out.line = cmark_node_get_start_line(node)
        out.column = cmark_node_get_start_column(node)
        out.endLine = cmark_node_get_end_line(node)
        out.endColumn = cmark_node_get_end_column(node)
        return out
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }

    // MARK: - GFM tables

    /// The source lines of a paragraph with its container prefixes (`>` markers, list
    /// indentation) removed, when it may hold a table.
    private static func tableLines(lines: SourceLines, node: OpaquePointer, start: Int, end: Int) -> [GFMTable.Line]? {
        var quoteDepth = 0
        var p = cmark_node_parent(node)
        while let parent = p {
            if cmark_node_get_type(parent) == CMARK_NODE_BLOCK_QUOTE { quoteDepth += 1 }
            p = cmark_node_parent(parent)
        }
        let firstColumn = Int(cmark_node_get_start_column(node))
        var out: [GFMTable.Line] = []
        out.reserveCapacity(end - start + 1)
        for lineNumber in start...end {
            guard var line = lines.line(lineNumber) else { return nil }
            var column = 1
            if lineNumber == start {
                let skip = min(max(firstColumn - 1, 0), line.count)
                line = line.dropFirst(skip)
                column += skip
            } else {
                for _ in 0..<quoteDepth {
                    let before = line.count
                    line = GFMTable.dropQuoteMarker(line)
                    column += before - line.count
                }
            }
            out.append(GFMTable.Line(number: Int32(lineNumber), column: Int32(column), text: line))
        }
        return GFMTable.mayBeTable(out) ? out : nil
    }

    /// Appends a table (and the paragraph lines before its header row, if any) in place of a
    /// paragraph. Returns false when the lines do not form a table.
    private static func appendTable(_ lines: [GFMTable.Line], paragraph: OpaquePointer, to parent: Int32,
                                    builder: inout MarkdownBuilder) -> Bool {
        guard let table = GFMTable.parse(lines) else { return false }
        if table.headerLine > 0 {
            // Lines before the header row stay a paragraph of their own.
            let text = lines[0..<table.headerLine].map { String(decoding: $0.text, as: UTF8.self) }
                .joined(separator: "\n")
            let sub = parseBlock(text)
            let first = lines[0]
            for child in sub.children(of: MarkdownDocument.root) {
                var node = sub[child]
                node.line += first.number - 1
                node.endLine += first.number - 1
                let copy = builder.append(node, to: parent)
                builder.graftShiftingLines(childrenOf: child, from: sub, to: copy, lineOffset: first.number - 1)
            }
        }
        let cells = table.rows.flatMap { $0.cells }
        let inline = parseCells(cells.map { $0.text })
        var tableNode = MarkdownNode(kind: .table)
        tableNode.line = lines[table.headerLine].number
        tableNode.column = lines[table.headerLine].column
        tableNode.endLine = lines[lines.count - 1].number
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
                if let (doc, paragraph) = inline[cellIndex] {
                    // The cell text was parsed behind a two-byte no-break space (see parseCells).
                    builder.graft(childrenOf: paragraph, from: doc, to: cellNodeIndex,
                                  line: row.line, columnOffset: cell.column - 3)
                }
                cellIndex += 1
            }
        }
        return true
    }

    private static func parseBlock(_ text: String) -> MarkdownDocument {
        var text = text
        return text.withUTF8 { convert(bytes: $0, tablesFrom: nil) }
    }

    /// Parses table cells as inline Markdown with cmark, all cells of a table in one document.
    ///
    /// Each non-empty cell becomes a paragraph of its own, written behind a no-break space: that
    /// keeps cmark from reading `# x`, `- x`, `1. x`, `<div>` or `[a]: b` at the start of a cell
    /// as a block, and still counts as whitespace for the emphasis rules, as the start of a line
    /// would. The space is removed again from the converted text.
    private static func parseCells(_ cells: [String]) -> [(MarkdownDocument, Int32)?] {
        var text = ""
        var slots: [Int] = []
        for (i, cell) in cells.enumerated() where !cell.isEmpty {
            if !text.isEmpty { text += "\n\n" }
            text += "\u{00A0}"
            text += cell
            slots.append(i)
        }
        var result = [(MarkdownDocument, Int32)?](repeating: nil, count: cells.count)
        guard !slots.isEmpty else { return result }
        var doc = parseBlock(text)
        var paragraphs: [Int32] = []
        for child in doc.children(of: MarkdownDocument.root) where doc[child].kind == .paragraph {
            paragraphs.append(child)
        }
        guard paragraphs.count == slots.count else { return result }
        for (slot, paragraph) in zip(slots, paragraphs) {
            let first = doc[paragraph].firstChild
            if first >= 0, doc[first].kind == .text, doc[first].literal.hasPrefix("\u{00A0}") {
                doc.nodes[Int(first)].literal.removeFirst()
                doc.nodes[Int(first)].column += 2
                if doc[first].literal.isEmpty { doc.unlink(first) }
            }
            result[slot] = (doc, paragraph)
        }
        return result
    }
}

/// Byte ranges of the lines of a text, found once per document.
struct SourceLines {
    let bytes: UnsafeBufferPointer<UInt8>
    private var starts: [Int] = [0]

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                starts.append(i + 1)
            } else if bytes[i] == UInt8(ascii: "\r") {
                if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
    }

    /// Line `number` (1-based) without its line ending.
    func line(_ number: Int) -> ArraySlice<UInt8>? {
        guard number >= 1 && number <= starts.count else { return nil }
        let start = starts[number - 1]
        var end = number < starts.count ? starts[number] : bytes.count
        while end > start && (bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r")) {
            end -= 1
        }
        return ArraySlice(bytes[start..<end])
    }
}

extension MarkdownBuilder {
    mutating func graftShiftingLines(childrenOf index: Int32, from other: MarkdownDocument, to parent: Int32,
                                     lineOffset: Int32) {
        for child in other.children(of: index) {
            var node = other[child]
            node.line += lineOffset
            node.endLine += lineOffset
            let copy = append(node, to: parent)
            graftShiftingLines(childrenOf: child, from: other, to: copy, lineOffset: lineOffset)
        }
    }
}

extension MarkdownDocument {
    /// Removes a node from its parent's children.
    mutating func unlink(_ index: Int32) {
        let node = nodes[Int(index)]
        if node.previous >= 0 { nodes[Int(node.previous)].next = node.next }
        else if node.parent >= 0 { nodes[Int(node.parent)].firstChild = node.next }
        if node.next >= 0 { nodes[Int(node.next)].previous = node.previous }
        else if node.parent >= 0 { nodes[Int(node.parent)].lastChild = node.previous }
        nodes[Int(index)].parent = -1
        nodes[Int(index)].next = -1
        nodes[Int(index)].previous = -1
    }
}
