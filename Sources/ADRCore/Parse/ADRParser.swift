/// The parse stage: reads one file as a careful reader would, and renders its body. Everything
/// is taken from the Markdown tree (so text in fenced code never counts), never from the raw
/// text; the tree is let go when the file is read.
public enum ADRParser {
    public struct Options: Sendable, Hashable {
        /// Keep raw HTML in the body (cmark's unsafe mode). Off by default.
        public var unsafeHTML = false
        public init(unsafeHTML: Bool = false) { self.unsafeHTML = unsafeHTML }
    }

    public struct Outcome: Sendable {
        /// Nil when the file was skipped (empty, binary); the diagnostics say why.
        public var decision: ParsedDecision?
        public var diagnostics: [Diagnostic]
    }

    public static func parse(_ file: SourceFile, options: Options = Options()) -> Outcome {
        var diagnostics: [Diagnostic] = []
        guard let text = decode(file, diagnostics: &diagnostics) else {
            return Outcome(decision: nil, diagnostics: diagnostics)
        }
        let (frontMatter, body, fmDiagnostics) = FrontMatter.split(text, path: file.path)
        diagnostics += fmDiagnostics
        let document = MarkdownDocument.parse(body)
        var reader = Reader(path: file.path, document: document, frontMatter: frontMatter)
        reader.read()
        diagnostics += reader.diagnostics
        var decision = reader.result
        decision.diagnostics = diagnostics
        decision.body = BodyRenderer.render(reader, unsafe: options.unsafeHTML)
        decision.summary = reader.summary()
        decision.searchText = reader.searchText()
        return Outcome(decision: decision, diagnostics: diagnostics)
    }

    /// The first heading of a log's README.md: the site's title.
    public static func readmeTitle(_ file: SourceFile) -> String? {
        let doc = MarkdownDocument.parse(String(decoding: file.bytes, as: UTF8.self))
        for n in doc.children(of: MarkdownDocument.root) where doc[n].kind == .heading && doc[n].level == 1 {
            let t = doc.plainText(of: n).trimmingCharacters(in: " \t")
            if !t.isEmpty { return t }
        }
        return nil
    }

    /// Bytes to text: BOM removed, invalid UTF-8 replaced (with a warning), empty and binary
    /// files skipped.
    static func decode(_ file: SourceFile, diagnostics: inout [Diagnostic]) -> String? {
        var bytes = file.bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        // UTF-16 with a byte order mark (Windows editors write it): read as such.
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let little = bytes.first == 0xFF
            let units = stride(from: bytes.startIndex + 2, to: bytes.endIndex - 1, by: 2).map { k -> UInt16 in
                little ? UInt16(bytes[k]) | UInt16(bytes[k + 1]) << 8 : UInt16(bytes[k]) << 8 | UInt16(bytes[k + 1])
            }
            diagnostics.append(.warning(file.path, "file is UTF-16 (\(little ? "little" : "big")-endian), not UTF-8; read as UTF-16"))
            return String(decoding: units, as: UTF16.self)
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            diagnostics.append(.warning(file.path, "file is empty; skipped"))
            return nil
        }
        let head8K = bytes.prefix(8192)
        if let nul = head8K.withUnsafeBufferPointer({ $0.firstIndex(ofByte: 0) }).map({ head8K.startIndex + $0 }) {
            let (line, column) = lineColumn(of: nul, in: bytes)
            // Text with a NUL after (or before) nearly every character is UTF-16 without its mark.
            let head = Array(bytes.prefix(512))
            let oddNULs = stride(from: 1, to: head.count, by: 2).filter { head[$0] == 0 }.count
            let evenNULs = stride(from: 0, to: head.count, by: 2).filter { head[$0] == 0 }.count
            let looksUTF16 = head.count >= 8 && max(oddNULs, evenNULs) * 10 >= head.count / 2 * 9 && min(oddNULs, evenNULs) == 0
            diagnostics.append(.warning(file.path, line: line, column: column, looksUTF16
                ? "file contains NUL bytes: it looks like UTF-16 without a byte order mark; skipped (save it as UTF-8)"
                : "file contains NUL bytes and looks binary; skipped"))
            return nil
        }
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = bytes.startIndex
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: break loop
            case .emptyInput: break loop
            }
        }
        let (line, column) = lineColumn(of: offset, in: bytes)
        diagnostics.append(.warning(file.path, line: line, column: column,
                                    "file is not valid UTF-8; invalid bytes are shown as \u{FFFD}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func lineColumn(of offset: Int, in bytes: ArraySlice<UInt8>) -> (Int, Int) {
        var line = 1, lineStart = bytes.startIndex
        for i in bytes.startIndex..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart + 1)
    }
}

/// Renders a decision's body once it is read: without the title and the metadata lines (the
/// page header shows them), headings anchored, follow-up items with their ids, and holes for
/// what the link stage decides (where each link leads, `ADR-12` mentions, follow-up states).
enum BodyRenderer {
    static func render(_ reader: Reader, unsafe: Bool) -> RenderedHTML {
        var renderer = HTMLRenderer(unsafe: unsafe)
        renderer.skipped = Set((reader.titleNode.map { [$0] } ?? []) + reader.metadataNodes)
        for (section, node) in zip(reader.result.sections, reader.sectionNodes) {
            renderer.headingIDs[node] = section.anchor
            renderer.headingSuffixes[node] = " <a class=\"anchor\" href=\"#\(section.anchor)\" aria-label=\"Link to this section\">#</a>"
        }
        for (k, (followUp, node)) in zip(reader.result.followUps, reader.followUpNodes).enumerated() {
            renderer.itemIDs[node] = followUp.anchor
            renderer.itemHoles[node] = Int32(k)
        }
        renderer.linkHoles = reader.linkIndex
        renderer.findMentions = Mentions.find
        return renderer.render(reader.doc)
    }
}

/// `ADR-12` mentions in text, for linking them on pages.
enum Mentions {
    /// Each mention's byte range in `text` and its number.
    static func find(in text: UnsafeBufferPointer<UInt8>) -> [(range: Range<Int>, number: Int)] {
        // Most text has no "adr" at all: look for one before copying anything.
        guard ByteScan.containsADR(text) else { return [] }
        let b = Array(text)
        var out: [(Range<Int>, Int)] = []
        var i = 0
        while i < b.count {
            if (b[i] == UInt8(ascii: "A") || b[i] == UInt8(ascii: "a")), let (number, end) = Scan.mention(b, at: i) {
                out.append((i..<end, number))
                i = end
                continue
            }
            i += 1
        }
        return out
    }
}
