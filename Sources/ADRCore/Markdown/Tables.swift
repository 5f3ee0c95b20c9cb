#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// GitHub-flavoured pipe tables over plain cmark: plain CommonMark reads a table as a paragraph
/// of pipes, so the converter hands each paragraph's source lines to this step, which finds the
/// header row, delimiter row and body rows as the GFM specification defines them
/// (https://github.github.com/gfm/#tables-extension-). Cell text is then parsed as inline
/// Markdown by cmark.
enum GFMTable {
    /// One source line of a paragraph, with its container prefixes already removed.
    struct Line {
        var number: Int32
        /// 1-based byte column of `text`'s first byte in the source line.
        var column: Int32
        var text: ArraySlice<UInt8>
        /// A lazy continuation line (one without its container's `>` or indentation): it can
        /// continue a paragraph but not a table, so it is neither a delimiter nor a body row.
        var lazy = false
    }

    struct Cell: Equatable {
        /// Cell text with `\|` unescaped, trimmed.
        var text: String
        var column: Int32
    }

    struct Row {
        var line: Int32
        var cells: [Cell]
    }

    struct Table {
        /// Index into the paragraph's lines of the header row; lines before it stay a paragraph.
        var headerLine: Int
        var alignments: [MarkdownNode.Alignment]
        /// The header row first, then the body rows, each with exactly `alignments.count` cells.
        var rows: [Row]
        /// Index of the first line after the table; the lines from there on are blocks again.
        var end: Int
    }

    private static let pipe = UInt8(ascii: "|"), backslash = UInt8(ascii: "\\")
    private static let dash = UInt8(ascii: "-"), colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    /// Whether a text may hold a table: a delimiter row has a pipe, or else is one column
    /// with a colon (`:--`, `--:`); without either, `---` under a line is a setext heading.
    static func mayHoldTable(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        // memchr reads many bytes at a time: most documents have neither `|` nor `:-`/`-:`.
        if memchr(base, Int32(pipe), bytes.count) != nil { return true }
        var from = 0
        while from < bytes.count, let hit = memchr(base + from, Int32(colon), bytes.count - from) {
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            if (at > 0 && bytes[at - 1] == dash) || (at + 1 < bytes.count && bytes[at + 1] == dash) { return true }
            from = at + 1
        }
        return false
    }

    /// A cheap test that some line after the first could be a delimiter row.
    static func mayBeTable(_ lines: ArraySlice<Line>) -> Bool {
        guard lines.count >= 2 else { return false }
        for line in lines.dropFirst() where isDelimiterCandidate(line.text) { return true }
        return false
    }

    private static func isDelimiterCandidate(_ text: ArraySlice<UInt8>) -> Bool {
        var sawDash = false
        for b in text {
            switch b {
            case dash: sawDash = true
            case pipe, colon, space, tab: continue
            default: return false
            }
        }
        return sawDash
    }

    /// Reads the lines as a table, or returns nil when they are not one.
    ///
    /// The header row is the line before the first delimiter row; the lines before it stay a
    /// paragraph. As in cmark-gfm, a delimiter row whose cell count differs from the line above
    /// it means the paragraph holds no table at all, even if a later pair of lines would match.
    /// `underline` says the last line is a setext heading underline (plain cmark read the lines
    /// as a heading), which cannot be the delimiter row. A table ends before a lazy line, a line
    /// indented four spaces or more (indented code), a line without cells (a lone `|`), or one
    /// for which `startsBlock` holds: in cmark-gfm any block start ends a table, even those that
    /// cannot interrupt a paragraph, such as `2. x`, an empty list item or `---`.
    static func parse(_ lines: [Line], headerFrom: Int = 0, underline: Bool = false,
                      startsBlock: (ArraySlice<UInt8>) -> Bool = { _ in false }) -> Table? {
        let delimiterEnd = underline ? lines.count - 1 : lines.count
        guard delimiterEnd >= headerFrom + 2 else { return nil }
        for d in (headerFrom + 1)..<delimiterEnd where !lines[d].lazy && indent(lines[d].text) < 4
            && isDelimiterCandidate(lines[d].text) {
            let headerLine = d - 1
            guard let alignments = delimiterRow(lines[d].text) else { continue }
            var header = splitRow(lines[headerLine])
            // A lazy line keeps its indentation in the paragraph, so cmark-gfm does not take
            // the pipe after it for a leading pipe and reads an empty first cell.
            let headerText = lines[headerLine].text
            if lines[headerLine].lazy && indent(headerText) > 0 && trim(headerText).first == pipe {
                header.insert(Cell(text: "", column: lines[headerLine].column), at: 0)
            }
            guard header.count == alignments.count else { return nil }
            var rows = [Row(line: lines[headerLine].number, cells: header)]
            var end = d + 1
            while end < lines.count {
                let body = lines[end]
                if body.lazy || indent(body.text) >= 4 || startsBlock(body.text) { break }
                var cells = splitRow(body)
                if cells.isEmpty { break }
                if cells.count > alignments.count { cells.removeLast(cells.count - alignments.count) }
                while cells.count < alignments.count {
                    cells.append(Cell(text: "", column: body.column + Int32(body.text.count)))
                }
                rows.append(Row(line: body.number, cells: cells))
                end += 1
            }
            return Table(headerLine: headerLine, alignments: alignments, rows: rows, end: end)
        }
        return nil
    }

    /// A setext heading underline: up to three spaces, then a run of `=` or of `-`.
    static func isSetextUnderline(_ text: ArraySlice<UInt8>) -> Bool {
        let t = trim(text)
        guard indent(text) < 4, let c = t.first, c == UInt8(ascii: "=") || c == dash else { return false }
        return t.allSatisfy { $0 == c }
    }

    /// The indentation of a line in columns, a tab reaching the next multiple of four.
    static func indent(_ text: ArraySlice<UInt8>) -> Int {
        var n = 0
        for b in text {
            if b == space { n += 1 } else if b == tab { n += 4 - n % 4 } else { break }
        }
        return n
    }

    /// The alignments of a delimiter row (`| :-- | :-: | --: |`), or nil if it is not one.
    static func delimiterRow(_ text: ArraySlice<UInt8>) -> [MarkdownNode.Alignment]? {
        let cells = split(text)
        guard !cells.isEmpty else { return nil }
        var out: [MarkdownNode.Alignment] = []
        for (cell, _) in cells {
            let t = trim(cell)
            guard !t.isEmpty else { return nil }
            let left = t.first == colon, right = t.last == colon
            let inner = t.dropFirst(left ? 1 : 0).dropLast(right && t.count > 1 ? 1 : 0)
            guard !inner.isEmpty, inner.allSatisfy({ $0 == dash }) else { return nil }
            out.append(left && right ? .center : left ? .left : right ? .right : .none)
        }
        return out
    }

    /// The cells of a row: leading and trailing pipes are optional, `\|` is not a separator.
    static func splitRow(_ line: Line) -> [Cell] {
        split(line.text).map { (raw, offset) in
            var start = raw.startIndex
            while start < raw.endIndex && (raw[start] == space || raw[start] == tab) { start += 1 }
            let trimmed = trim(raw)
            var text = [UInt8]()
            text.reserveCapacity(trimmed.count)
            var i = trimmed.startIndex
            while i < trimmed.endIndex {
                if trimmed[i] == backslash && i + 1 < trimmed.endIndex && trimmed[i + 1] == pipe {
                    text.append(pipe)
                    i += 2
                } else {
                    text.append(trimmed[i])
                    i += 1
                }
            }
            let column = line.column + Int32(offset + (start - raw.startIndex))
            return Cell(text: String(decoding: text, as: UTF8.self), column: column)
        }
    }

    /// Splits on unescaped pipes; returns each raw cell with its byte offset in `text`.
    ///
    /// As in cmark-gfm, a pipe right after a backslash is escaped whatever comes before that
    /// backslash: `\\|` is a backslash and an escaped pipe, not an escaped backslash and a
    /// separator. A lone `|` has no cells.
    private static func split(_ text: ArraySlice<UInt8>) -> [(ArraySlice<UInt8>, Int)] {
        var t = trim(text)
        guard !t.isEmpty else { return [] }
        if t.first == pipe {
            t = t.dropFirst()
            if t.isEmpty { return [] }
        }
        if t.last == pipe && !(t.count >= 2 && t[t.endIndex - 2] == backslash) { t = t.dropLast() }
        var cells: [(ArraySlice<UInt8>, Int)] = []
        var start = t.startIndex
        for i in t.indices where t[i] == pipe && (i == t.startIndex || t[i - 1] != backslash) {
            cells.append((t[start..<i], start - text.startIndex))
            start = i + 1
        }
        cells.append((t[start..<t.endIndex], start - text.startIndex))
        return cells
    }

    private static func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi && (s[lo] == space || s[lo] == tab) { lo += 1 }
        while hi > lo && (s[hi - 1] == space || s[hi - 1] == tab) { hi -= 1 }
        return s[lo..<hi]
    }

    /// Removes one block quote marker (up to three spaces, `>`, one optional space).
    static func dropQuoteMarker(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var i = line.startIndex
        var spaces = 0
        while i < line.endIndex && line[i] == space && spaces < 3 { i += 1; spaces += 1 }
        guard i < line.endIndex && line[i] == UInt8(ascii: ">") else { return line }
        i += 1
        if i < line.endIndex && (line[i] == space || line[i] == tab) { i += 1 }
        return line[i...]
    }
}
