/// The GFM task list extension over cmark's tree: a list item whose line reads
/// `- [ ] text` or `- [x] text` becomes a task list item (`MarkdownNode.task`), and the marker is
/// taken out of its text.
///
/// The rule is cmark-gfm's (Debian's 0.29.0.gfm.6, checked against it): the item's own line,
/// from its first character, is optional spaces, the list marker, spaces, `[ ]`, `[x]` or
/// `[X]`, then at least one space or tab. So an item inside a block quote (`> - [ ] x`) or on
/// the line of an outer item (`- - [ ] x`) is no task, and an item is checked when its line
/// holds `[x]` or `[X]` anywhere.
enum TaskList {
    /// Whether a text may hold a task list item.
    static func mayHoldTasks(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.containsSequence("[ ]") || bytes.containsSequence("[x]") || bytes.containsSequence("[X]")
    }

    static func apply(to doc: inout MarkdownDocument, lines: SourceLines) {
        for item in doc.descendants(of: MarkdownDocument.root) where doc[item].kind == .item {
            let paragraph = doc[item].firstChild
            guard paragraph >= 0, doc[paragraph].kind == .paragraph, doc[paragraph].line == doc[item].line,
                  let line = lines.line(Int(doc[item].line)), let checked = marker(line) else { continue }
            let text = doc[paragraph].firstChild
            guard text >= 0, doc[text].kind == .text else { continue }
            let literal = doc.bytes(doc[text].literal)
            guard literal.count >= 3, literal[literal.startIndex] == UInt8(ascii: "["),
                  literal[literal.startIndex + 2] == UInt8(ascii: "]") else { continue }
            // The marker and the spaces after it leave the text.
            var cut: Int32 = 3
            while Int(cut) < literal.count, literal[literal.startIndex + Int(cut)] == 0x20 || literal[literal.startIndex + Int(cut)] == 0x09 {
                cut += 1
            }
            doc.nodes[Int(text)].literal.start += cut
            doc.nodes[Int(text)].literal.count -= cut
            doc.nodes[Int(text)].column += cut
            if doc[text].literal.count == 0 {
                // The text goes on on the next line: the line break goes too.
                let next = doc[text].next
                doc.unlink(text)
                if next >= 0 && doc[next].kind == .softBreak { doc.unlink(next) }
                if doc[paragraph].firstChild < 0 { doc.unlink(paragraph) }
            }
            doc.nodes[Int(item)].task = checked ? .checked : .unchecked
        }
    }

    /// Whether a source line is a task list item's: nil when not, else whether it is checked.
    static func marker(_ line: ArraySlice<UInt8>) -> Bool? {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C }
        var i = line.startIndex
        while i < line.endIndex && isSpace(line[i]) { i += 1 }
        guard i < line.endIndex else { return nil }
        if line[i] == UInt8(ascii: "-") || line[i] == UInt8(ascii: "+") || line[i] == UInt8(ascii: "*") {
            i += 1
        } else {
            let digits = i
            while i < line.endIndex && line[i] >= UInt8(ascii: "0") && line[i] <= UInt8(ascii: "9") { i += 1 }
            guard i > digits, i < line.endIndex else { return nil }
            i += 1   // `.` or `)`: any character, as in cmark-gfm's scanner
        }
        let spaces = i
        while i < line.endIndex && isSpace(line[i]) { i += 1 }
        guard i > spaces, i + 3 < line.endIndex, line[i] == UInt8(ascii: "["), line[i + 2] == UInt8(ascii: "]"),
              line[i + 1] == 0x20 || line[i + 1] == UInt8(ascii: "x") || line[i + 1] == UInt8(ascii: "X"),
              isSpace(line[i + 3]) else { return nil }
        let b = Array(line)
        for k in 0..<max(b.count - 2, 0) where b[k] == UInt8(ascii: "[") && b[k + 2] == UInt8(ascii: "]")
            && (b[k + 1] == UInt8(ascii: "x") || b[k + 1] == UInt8(ascii: "X")) {
            return true
        }
        return false
    }
}
