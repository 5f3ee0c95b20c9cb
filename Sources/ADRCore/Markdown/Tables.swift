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
    }

    private static let pipe = UInt8(ascii: "|"), backslash = UInt8(ascii: "\\")
    private static let dash = UInt8(ascii: "-"), colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    /// A cheap test that some line after the first could be a delimiter row.
    static func mayBeTable(_ lines: [Line]) -> Bool {
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
    static func parse(_ lines: [Line]) -> Table? {
        guard lines.count >= 2 else { return nil }
        for d in 1..<lines.count where isDelimiterCandidate(lines[d].text) {
            let headerLine = d - 1
            guard let alignments = delimiterRow(lines[d].text) else { continue }
            let header = splitRow(lines[headerLine])
            guard header.count == alignments.count else { continue }
            // A table needs a pipe somewhere in its first two rows, or it is just text.
            guard lines[headerLine].text.contains(pipe) || lines[d].text.contains(pipe) else { continue }
            var rows = [Row(line: lines[headerLine].number, cells: header)]
            for body in lines[(d + 1)...] {
                var cells = splitRow(body)
                if cells.count > alignments.count { cells.removeLast(cells.count - alignments.count) }
                while cells.count < alignments.count {
                    cells.append(Cell(text: "", column: body.column + Int32(body.text.count)))
                }
                rows.append(Row(line: body.number, cells: cells))
            }
            return Table(headerLine: headerLine, alignments: alignments, rows: rows)
        }
        return nil
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
    private static func split(_ text: ArraySlice<UInt8>) -> [(ArraySlice<UInt8>, Int)] {
        var t = trim(text)
        guard !t.isEmpty else { return [] }
        if t.first == pipe { t = t.dropFirst() }
        if t.last == pipe && !(t.count >= 2 && t[t.endIndex - 2] == backslash) { t = t.dropLast() }
        var cells: [(ArraySlice<UInt8>, Int)] = []
        var start = t.startIndex
        var i = t.startIndex
        while i < t.endIndex {
            if t[i] == backslash {
                i += 2
                continue
            }
            if t[i] == pipe {
                cells.append((t[start..<i], start - text.startIndex))
                start = i + 1
            }
            i += 1
        }
        cells.append((t[start..<min(t.endIndex, max(start, t.endIndex))], start - text.startIndex))
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
