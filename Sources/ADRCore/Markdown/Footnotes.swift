/// The GFM footnotes over cmark's tree: the definitions `FootnoteDefinitions` took out of the
/// source are parsed and put into a `.footnoteSection` at the end of the document, each
/// `[^label]` in text that names one becomes a `.footnoteReference`, and, as in cmark-gfm:
/// footnotes are numbered in the order of their first reference (references inside a
/// definition count where the definition is written), labels match as link labels do (case
/// and runs of whitespace ignored, the first definition of a label wins), a definition no
/// reference names is left out, and a `[^label]` that names no definition stays text.
enum Footnotes {
    /// Puts the definitions, parsed, into a section at the end of `doc` (so that the inline
    /// steps see their text); returns the section.
    static func graft(_ found: FootnoteDefinitions, into doc: inout MarkdownDocument) -> Int32 {
        let section = doc.appendDetached(MarkdownNode(kind: .footnoteSection))
        let definitions = found.blanked.withUnsafeBufferPointer { LinkDefinitions.mayDefineLinks($0) }
            ? LinkDefinitions(source: found.blanked) : nil
        for definition in found.definitions {
            var node = MarkdownNode(kind: .footnoteDefinition)
            node.literal = doc.store(definition.label)
            node.line = definition.line
            node.column = definition.column
            node.endLine = definition.origins.last?.line ?? definition.line
            let index = doc.append(node, to: section)
            let parsed = TableStep.parseBlocks(definition.content, definitions: definitions)
            doc.graft(childrenOf: MarkdownDocument.root, from: parsed, to: index) { line in
                let origin = definition.origins[min(max(Int(line) - 1, 0), definition.origins.count - 1)]
                return (origin.line, origin.shift)
            }
        }
        doc.appendChild(section, to: MarkdownDocument.root)
        return section
    }

    /// Turns references into `.footnoteReference` nodes, numbers the footnotes, and puts the
    /// section (`graft`'s) at the end of the document with the footnotes that are referred to.
    static func resolve(in doc: inout MarkdownDocument, section: Int32, context: InlineContext) {
        var byLabel: [String: Int32] = [:]
        for definition in doc.children(of: section) {
            let key = normalized(doc.bytes(doc[definition].literal))
            if byLabel[key] == nil { byLabel[key] = definition }
        }
        // Every candidate `[^label]` of the text, in the order of the source (the definitions
        // are written where their lines are).
        var found: [(line: Int32, order: Int, node: Int32, start: Int, end: Int, definition: Int32)] = []
        var order = 0
        do {
            for n in doc.descendants(of: MarkdownDocument.root) where doc[n].kind == .text {
                // The text of a bare URL made a link is the URL's, `[^1]` and all.
                let parent = doc[n].parent
                if parent >= 0 && doc[parent].isExtendedAutolink { continue }
                let t = doc.bytes(doc[n].literal)
                guard t.count >= 4, t.contains(UInt8(ascii: "^")) else { continue }
                let bytes = Array(t)
                var written: [Bool]?? = .none
                var i = 0
                while i + 3 < bytes.count {
                    guard bytes[i] == UInt8(ascii: "["), bytes[i + 1] == UInt8(ascii: "^") else { i += 1; continue }
                    var j = i + 2
                    while j < bytes.count && bytes[j] != UInt8(ascii: "]") && bytes[j] != UInt8(ascii: "[") { j += 1 }
                    guard j < bytes.count, bytes[j] == UInt8(ascii: "]"), j > i + 2,
                          let definition = byLabel[normalized(bytes[(i + 2)..<j])] else { i += 1; continue }
                    if written == .none { written = .some(context.writtenMask(doc, n)) }
                    if let mask = written ?? nil, !mask[i] || !mask[j] { i += 1; continue }
                    found.append((doc[n].line, order, n, i, j + 1, definition))
                    order += 1
                    i = j + 1
                }
            }
        }
        found.sort { ($0.line, $0.order) < ($1.line, $1.order) }
        // Number in that order.
        var number: [Int32: Int32] = [:]
        var references: [Int32: Int32] = [:]
        var made: [(node: Int32, start: Int, end: Int, definition: Int32, number: Int32, index: Int32)] = []
        for f in found {
            if number[f.definition] == nil { number[f.definition] = Int32(number.count + 1) }
            references[f.definition, default: 0] += 1
            made.append((f.node, f.start, f.end, f.definition, number[f.definition]!, references[f.definition]!))
        }
        // Into the tree: each text node's references from its end, so offsets stay valid.
        made.sort { ($0.node, $0.start) > ($1.node, $1.start) }
        for m in made {
            let line = doc[m.node].line, column = doc[m.node].column
            if m.end < Int(doc[m.node].literal.count) { _ = doc.split(m.node, at: Int32(m.end)) }
            let text = m.start > 0 ? doc.split(m.node, at: Int32(m.start)) : m.node
            var reference = MarkdownNode(kind: .footnoteReference)
            reference.literal = doc[m.definition].literal
            reference.start = m.number
            reference.count = m.index
            reference.line = line
            reference.endLine = line
            reference.column = column + Int32(m.start)
            reference.endColumn = column + Int32(m.end) - 1
            let index = doc.appendDetached(reference)
            doc.insert(index, after: text)
            doc.unlink(text)
        }
        // The footnotes referred to, in the order of their numbers.
        let used = number.sorted { $0.value < $1.value }.map(\.key)
        for definition in Array(doc.children(of: section)) { doc.unlink(definition) }
        doc.unlink(section)
        guard !used.isEmpty else { return }
        for definition in used {
            doc.nodes[Int(definition)].start = number[definition]!
            doc.nodes[Int(definition)].count = references[definition]!
            doc.appendChild(definition, to: section)
        }
        doc.appendChild(section, to: MarkdownDocument.root)
    }

    /// A label as cmark matches it: case folded, runs of whitespace as one space, trimmed.
    static func normalized<C: Collection<UInt8>>(_ label: C) -> String {
        let words = label.split { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        return words.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ").lowercased()
    }
}
