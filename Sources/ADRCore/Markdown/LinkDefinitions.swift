/// The link reference definitions of a document, written out again for the table step's own
/// parses: cmark resolves reference links only within one parse, and parsing the whole document
/// again for each of them would cost too much on long documents with many tables.
final class LinkDefinitions {
    private let source: [UInt8]
    /// Each definition as a line, with its label as matched (lowercased, whitespace collapsed).
    private var written: [(key: String, line: [UInt8], ascii: Bool)]?
    /// Indices into `written` by key, and those whose label is not ASCII.
    private var byKey: [String: [Int]] = [:]
    private var nonASCII: [Int] = []

    init(source: [UInt8]) { self.source = source }

    /// Whether a text may hold a link reference definition (`[label]: url`): only then do the
    /// separate parses of the table step need the document's definitions.
    static func mayDefineLinks(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 2 else { return false }
        for i in 1..<bytes.count where bytes[i] == UInt8(ascii: ":") && bytes[i - 1] == UInt8(ascii: "]") {
            return true
        }
        return false
    }

    /// `[label]: <url> "title"` lines for the labels the document defines that `fragment` may
    /// refer to (every `[…]` of it is a candidate): 3,000 small tables, each with a reference
    /// link, cost 3,000 definitions, not 3,000 times 3,000. Labels that are not ASCII are always
    /// given (Unicode case folding is cmark's to do), and all of them when the fragment has one.
    func text(for fragment: [UInt8]) -> [UInt8] {
        if written == nil {
            let entries = LinkDefinitions.write(source)
            for (i, entry) in entries.enumerated() {
                if entry.ascii { byKey[entry.key, default: []].append(i) } else { nonASCII.append(i) }
            }
            written = entries
        }
        guard let written, !written.isEmpty else { return [] }
        let wanted = LinkDefinitions.candidateLabels(fragment, definitionsOnly: false)
        var chosen: [Int]
        if wanted.contains(where: { !$0.utf8.allSatisfy { $0 < 0x80 } }) {
            chosen = Array(written.indices)
        } else {
            chosen = nonASCII
            for label in wanted { chosen += byKey[label.lowercased()] ?? [] }
            chosen.sort()   // in the document's order: the first definition of a label wins
        }
        var out: [UInt8] = []
        for i in chosen { out += written[i].line }
        return out
    }

    /// Asks cmark what each `[label]:` of the source defines: a reference link to every such
    /// label is parsed ahead of the document, and those that resolve give a definition.
    private static func write(_ source: [UInt8]) -> [(key: String, line: [UInt8], ascii: Bool)] {
        let labels = candidateLabels(source)
        guard !labels.isEmpty else { return [] }
        // Label i is probed on line 2i + 1; labels hold no line break (see candidateLabels).
        var probe: [UInt8] = []
        for label in labels { probe += Array("[x][".utf8) + Array(label.utf8) + Array("]\n\n".utf8) }
        probe += Array("<!-- -->\n\n".utf8) + source
        var out: [(key: String, line: [UInt8], ascii: Bool)] = []
        for link in CommonMark.leadingLinks(probe, beforeLine: 2 * labels.count) where link.line % 2 == 1 {
            let label = labels[link.line / 2]
            var written = "[" + label + "]: <" + escaped(link.url) + ">"
            if !link.title.isEmpty { written += " \"" + escaped(link.title) + "\"" }
            written += "\n\n"
            out.append((label.lowercased(), Array(written.utf8), label.utf8.allSatisfy { $0 < 0x80 }))
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
