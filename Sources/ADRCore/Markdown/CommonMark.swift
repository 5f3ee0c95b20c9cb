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
        let source = text
        var text = text
        return text.withUTF8 { bytes in
            guard GFMTable.mayHoldTable(bytes) else { return convert(bytes: bytes, tablesFrom: nil) }
            return convert(bytes: bytes, tablesFrom: SourceLines(bytes: bytes),
                           definitions: mayDefineLinks(bytes) ? LinkDefinitions(source: source) : nil)
        }
    }

    /// Whether a text may hold a link reference definition (`[label]: url`): only then do the
    /// separate parses of the table step need the document's definitions.
    private static func mayDefineLinks(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 2 else { return false }
        for i in 1..<bytes.count where bytes[i] == UInt8(ascii: ":") && bytes[i - 1] == UInt8(ascii: "]") {
            return true
        }
        return false
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

    /// Converts cmark's tree of `bytes`. With `lines`, paragraphs that hold a table become table
    /// nodes; `definitions` are the document's link reference definitions, for the table step's
    /// own parses. Top-level blocks from line `stopLine` on are left out.
    private static func convert(bytes: UnsafeBufferPointer<UInt8>, tablesFrom lines: SourceLines?,
                                definitions: LinkDefinitions? = nil, stopLine: Int32 = .max) -> MarkdownDocument {
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
            if parent == MarkdownDocument.root && cmark_node_get_start_line(node) >= stopLine { break }
            // Plain cmark reads a table as a paragraph, or as a setext heading when a `---` or
            // `===` line follows it; both can span several lines, an ATX heading cannot.
            if let lines, type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING {
                let start = Int(cmark_node_get_start_line(node)), end = Int(cmark_node_get_end_line(node))
                if end > start, let (table, headerFrom) = tableLines(lines: lines, node: node, start: start,
                                                                     end: end, setext: type == CMARK_NODE_HEADING) {
                    if appendTable(table, headerFrom: headerFrom, underline: type == CMARK_NODE_HEADING,
                                   to: parent, builder: &builder, definitions: definitions) {
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

    /// The source lines of a paragraph (or setext heading) with its container prefixes (`>`
    /// markers, list item indentation) removed, when it may hold a table. A line that lacks a
    /// prefix is marked lazy. `headerFrom` is the first line that may be a header row.
    private static func tableLines(lines: SourceLines, node: OpaquePointer, start: Int, end: Int,
                                   setext: Bool) -> (lines: [GFMTable.Line], headerFrom: Int)? {
        // The containers around the paragraph, outermost first: a block quote (nil) or the
        // column where a list item's content starts.
        var containers: [Int?] = []
        var p = cmark_node_parent(node)
        while let parent = p {
            let type = cmark_node_get_type(parent)
            if type == CMARK_NODE_BLOCK_QUOTE {
                containers.append(nil)
            } else if type == CMARK_NODE_ITEM {
                containers.append(itemContentColumn(parent, lines: lines))
            }
            p = cmark_node_parent(parent)
        }
        containers.reverse()
        let firstColumn = Int(cmark_node_get_start_column(node))
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
            let empty = text.withUnsafeBufferPointer { bytes -> Bool in
                guard let base = bytes.baseAddress,
                      let doc = cmark_parse_document(base, bytes.count, CMARK_OPT_DEFAULT) else { return false }
                defer { cmark_node_free(doc) }
                return cmark_node_first_child(doc) == nil
            }
            if empty { count = j + 1 }
        }
        return count < lines.count && GFMTable.isSetextUnderline(lines[count].text) ? count : 0
    }

    /// The 1-based column where a list item's content starts: its first block's column when
    /// that starts on the marker's line, else one space past the marker.
    private static func itemContentColumn(_ item: OpaquePointer, lines: SourceLines) -> Int {
        let line = cmark_node_get_start_line(item)
        let column = Int(cmark_node_get_start_column(item))
        if let child = cmark_node_first_child(item), cmark_node_get_start_line(child) == line {
            return Int(cmark_node_get_start_column(child))
        }
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
        return Array(t).withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress,
                  let doc = cmark_parse_document(base, bytes.count, CMARK_OPT_DEFAULT) else { return false }
            defer { cmark_node_free(doc) }
            guard let block = cmark_node_first_child(doc) else { return false }
            return cmark_node_get_type(block) != CMARK_NODE_PARAGRAPH
        }
    }

    /// Appends a table in place of a paragraph (or setext heading), with the lines before its
    /// header row and after its last row as blocks of their own. Returns false when the lines
    /// do not form a table.
    private static func appendTable(_ lines: [GFMTable.Line], headerFrom: Int, underline: Bool, to parent: Int32,
                                    builder: inout MarkdownBuilder, definitions: LinkDefinitions?) -> Bool {
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
                if let (doc, paragraph) = inline[cellIndex] {
                    // The cell text was parsed behind a two-byte no-break space (see parseCells).
                    builder.graft(childrenOf: paragraph, from: doc, to: cellNodeIndex) { _ in (row.line, cell.column - 3) }
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
                                     builder: inout MarkdownBuilder, definitions: LinkDefinitions?, tables: Bool) {
        let text = lines.map { String(decoding: $0.text, as: UTF8.self) }.joined(separator: "\n")
        let sub = parseFragment(text, definitions: definitions, tables: tables)
        builder.graft(childrenOf: MarkdownDocument.root, from: sub, to: parent) { line in
            let source = lines[lines.startIndex + min(max(Int(line) - 1, 0), lines.count - 1)]
            return (source.number, source.column - 1)
        }
    }

    /// Parses a piece of the document on its own, with the link reference definitions of the
    /// whole document, which cmark only resolves within one parse: when the piece may hold a
    /// reference link, the definitions are appended behind an HTML comment that closes every
    /// open block, and are not converted.
    private static func parseFragment(_ text: String, definitions: LinkDefinitions?, tables: Bool) -> MarkdownDocument {
        guard text.utf8.contains(UInt8(ascii: "[")), let written = definitions?.text(for: text), !written.isEmpty else {
            var text = text
            return text.withUTF8 { convert(bytes: $0, tablesFrom: tables ? SourceLines(bytes: $0) : nil) }
        }
        let stopLine = Int32(text.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }) + 2
        var combined = text + "\n\n<!-- -->\n\n" + written
        let doc = combined.withUTF8 { bytes in
            convert(bytes: bytes, tablesFrom: tables ? SourceLines(bytes: bytes) : nil,
                    definitions: definitions, stopLine: stopLine)
        }
        // A block that ran on into the appended text (an unclosed fence): parse without it.
        if doc.children(of: MarkdownDocument.root).contains(where: { doc[$0].endLine >= stopLine }) {
            return parseFragment(text, definitions: nil, tables: tables)
        }
        return doc
    }

    /// Parses table cells as inline Markdown with cmark, all cells of a table in one document.
    ///
    /// Each non-empty cell becomes a paragraph of its own, written behind a no-break space: that
    /// keeps cmark from reading `# x`, `- x`, `1. x`, `<div>` or `[a]: b` at the start of a cell
    /// as a block, and still counts as whitespace for the emphasis rules, as the start of a line
    /// would. The space is removed again from the converted text.
    private static func parseCells(_ cells: [String], definitions: LinkDefinitions?) -> [(MarkdownDocument, Int32)?] {
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
        var doc = parseFragment(text, definitions: definitions, tables: false)
        let paragraphs = Array(doc.children(of: MarkdownDocument.root))
        guard paragraphs.count == slots.count, paragraphs.allSatisfy({ doc[$0].kind == .paragraph }) else { return result }
        for paragraph in paragraphs {
            let first = doc[paragraph].firstChild
            if first >= 0, doc[first].kind == .text, doc[first].literal.hasPrefix("\u{00A0}") {
                doc.nodes[Int(first)].literal.removeFirst()
                doc.nodes[Int(first)].column += 2
                if doc[first].literal.isEmpty { doc.unlink(first) }
            }
        }
        // Every slot shares the one document: changed first, so that it is never copied.
        for (slot, paragraph) in zip(slots, paragraphs) { result[slot] = (doc, paragraph) }
        return result
    }
}

/// The link reference definitions of a document, written out again for the table step's own
/// parses: cmark resolves reference links only within one parse, and parsing the whole document
/// again for each of them would cost too much on long documents with many tables.
final class LinkDefinitions {
    private let source: String
    /// Each definition as a line, with its label as matched (lowercased, whitespace collapsed).
    private var written: [(key: String, line: String, ascii: Bool)]?
    /// Indices into `written` by key, and those whose label is not ASCII.
    private var byKey: [String: [Int]] = [:]
    private var nonASCII: [Int] = []

    init(source: String) { self.source = source }

    /// `[label]: <url> "title"` lines for the labels the document defines that `fragment` may
    /// refer to (every `[…]` of it is a candidate): 3,000 small tables, each with a reference
    /// link, cost 3,000 definitions, not 3,000 times 3,000. Labels that are not ASCII are always
    /// given (Unicode case folding is cmark's to do), and all of them when the fragment has one.
    func text(for fragment: String) -> String {
        if written == nil {
            let entries = LinkDefinitions.write(source)
            for (i, entry) in entries.enumerated() {
                if entry.ascii { byKey[entry.key, default: []].append(i) } else { nonASCII.append(i) }
            }
            written = entries
        }
        guard let written, !written.isEmpty else { return "" }
        let wanted = LinkDefinitions.candidateLabels(Array(fragment.utf8), definitionsOnly: false)
        var chosen: [Int]
        if wanted.contains(where: { !$0.utf8.allSatisfy { $0 < 0x80 } }) {
            chosen = Array(written.indices)
        } else {
            chosen = nonASCII
            for label in wanted { chosen += byKey[label.lowercased()] ?? [] }
            chosen.sort()   // in the document's order: the first definition of a label wins
        }
        var out = ""
        for i in chosen { out += written[i].line }
        return out
    }

    /// Asks cmark what each `[label]:` of the source defines: a reference link to every such
    /// label is parsed ahead of the document, and those that resolve give a definition.
    private static func write(_ source: String) -> [(key: String, line: String, ascii: Bool)] {
        let labels = candidateLabels(Array(source.utf8))
        guard !labels.isEmpty else { return [] }
        // Label i is probed on line 2i + 1; labels hold no line break (see candidateLabels).
        var probe = ""
        for label in labels { probe += "[x][" + label + "]\n\n" }
        probe += "<!-- -->\n\n" + source
        var out: [(key: String, line: String, ascii: Bool)] = []
        probe.withUTF8 { bytes in
            guard let base = bytes.baseAddress,
                  let doc = cmark_parse_document(base, bytes.count, CMARK_OPT_DEFAULT) else { return }
            defer { cmark_node_free(doc) }
            var block = cmark_node_first_child(doc)
            while let paragraph = block, Int(cmark_node_get_start_line(paragraph)) < 2 * labels.count {
                block = cmark_node_next(paragraph)
                let line = Int(cmark_node_get_start_line(paragraph))
                guard line % 2 == 1, cmark_node_get_type(paragraph) == CMARK_NODE_PARAGRAPH,
                      let link = cmark_node_first_child(paragraph), cmark_node_get_type(link) == CMARK_NODE_LINK
                else { continue }
                let url = cmark_node_get_url(link).map { String(cString: $0) } ?? ""
                let title = cmark_node_get_title(link).map { String(cString: $0) } ?? ""
                let label = labels[line / 2]
                var written = "[" + label + "]: <" + escaped(url) + ">"
                if !title.isEmpty { written += " \"" + escaped(title) + "\"" }
                written += "\n\n"
                out.append((label.lowercased(), written, label.utf8.allSatisfy { $0 < 0x80 }))
            }
        }
        return out
    }

    /// Every `[label]` directly followed by `:` in the source, once: a superset of the labels
    /// it defines (some are in code, some are not definitions at all). Runs of whitespace
    /// become one space, as cmark does when it matches labels. With `definitionsOnly` false,
    /// every `[label]`: the labels a piece of text may refer to.
    private static func candidateLabels(_ bytes: [UInt8], definitionsOnly: Bool = true) -> [String] {
        var labels: [String] = []
        var seen = Set<String>()
        var open = -1
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"):
                i += 1
            case UInt8(ascii: "["):
                open = i
            case UInt8(ascii: "]"):
                if open >= 0, !definitionsOnly || (i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: ":")), i - open - 1 <= 999 {
                    let raw = bytes[(open + 1)..<i]
                    let words = raw.split { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
                    let label = words.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
                    if !words.isEmpty, !raw.containsBlankLine, seen.insert(label).inserted {
                        labels.append(label)
                    }
                }
                open = -1
            default:
                break
            }
            i += 1
        }
        return labels
    }

    /// Writes `&`, `\`, `<`, `>` and `"` as entities, so that a destination in `<>` or a title in
    /// quotes gives back exactly `text`. Backslash escapes would be ambiguous: cmark takes the
    /// longest title it can, and one ending in `\\"` could run on into the next line.
    private static func escaped(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "\\": out += "&#92;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

private extension ArraySlice<UInt8> {
    /// Whether two line breaks follow each other with only spaces or tabs between them.
    var containsBlankLine: Bool {
        var breaks = 0
        for b in self {
            if b == 0x0A || b == 0x0D { breaks += 1; if breaks > 1 { return true } }
            else if b != 0x20 && b != 0x09 { breaks = 0 }
        }
        return false
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
    /// Copies the subtree under `index` of another document below `parent`, moving each source
    /// position to the line and column offset that `position` gives for its line.
    mutating func graft(childrenOf index: Int32, from other: MarkdownDocument, to parent: Int32,
                        position: (Int32) -> (line: Int32, columnOffset: Int32)) {
        // Iterative, in document order: lists, quotes and emphasis nest as deep as anyone likes,
        // and this runs on worker threads with small stacks.
        var stack: [(child: Int32, parent: Int32)] = []
        var c = other[index].lastChild
        while c >= 0 { stack.append((c, parent)); c = other[c].previous }
        while let (child, to) = stack.popLast() {
            var node = other[child]
            if node.line > 0 {
                let (line, offset) = position(node.line)
                node.line = line
                node.column += offset
            }
            if node.endLine > 0 {
                let (line, offset) = position(node.endLine)
                node.endLine = line
                node.endColumn += offset
            }
            let copy = append(node, to: to)
            var g = other[child].lastChild
            while g >= 0 { stack.append((g, copy)); g = other[g].previous }
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
