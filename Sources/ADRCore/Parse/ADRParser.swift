import Foundation

/// The parse stage: reads one file as a careful reader would. Everything is taken from the
/// cmark tree (so text in fenced code never counts), never from the raw text.
public enum ADRParser {
    public struct Outcome: Sendable {
        /// Nil when the file was skipped (empty, binary); the diagnostics say why.
        public var decision: ParsedDecision?
        public var diagnostics: [Diagnostic]
    }

    public static func parse(_ file: SourceFile) -> Outcome {
        var diagnostics: [Diagnostic] = []
        guard let text = decode(file, diagnostics: &diagnostics) else {
            return Outcome(decision: nil, diagnostics: diagnostics)
        }
        let (frontMatter, body, fmDiagnostics) = FrontMatter.split(text, path: file.path)
        diagnostics += fmDiagnostics
        let document = CommonMark.parse(body)
        var reader = Reader(path: file.path, document: document, frontMatter: frontMatter)
        reader.read()
        diagnostics += reader.diagnostics
        var decision = reader.result
        decision.diagnostics = diagnostics
        // The tree lives until the page is written: without the builder's spare capacity.
        if decision.document.nodes.capacity > decision.document.nodes.count + 8 {
            decision.document.nodes = decision.document.nodes.withUnsafeBufferPointer { Array($0) }
        }
        return Outcome(decision: decision, diagnostics: diagnostics)
    }

    /// Bytes to text: BOM removed, invalid UTF-8 replaced (with a warning), empty and binary
    /// files skipped.
    static func decode(_ file: SourceFile, diagnostics: inout [Diagnostic]) -> String? {
        var bytes = file.bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            diagnostics.append(.warning(file.path, "file is empty; skipped"))
            return nil
        }
        if let nul = bytes.prefix(8192).firstIndex(of: 0) {
            let (line, column) = lineColumn(of: nul, in: bytes)
            diagnostics.append(.warning(file.path, line: line, column: column,
                                        "file contains NUL bytes and looks binary; skipped"))
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

/// Reads one document. Kept as a value with the state the rules share.
struct Reader {
    let path: String
    let doc: MarkdownDocument
    let frontMatter: FrontMatter?
    let fileInfo: FileNameInfo
    var diagnostics: [Diagnostic] = []
    var result: ParsedDecision

    /// Statuses, dates, deciders and tags found in the body, first in document order wins.
    var bodyStatus: (String, Int)?
    var bodyDate: (Dates.Found, Int, Int)?
    var statusDate: (Dates.Found, Int, Int)?
    var bodyDeciders: [String]?
    var bodyTags: [String]?
    /// Paragraphs made only of `Key: value` metadata lines.
    var metadataBlocks: [Int32] = []

    init(path: String, document: MarkdownDocument, frontMatter: FrontMatter?) {
        self.path = path
        self.doc = document
        self.frontMatter = frontMatter
        let name = lastComponent(path)
        var stem = stripExtension(name)
        var category = parentPath(path)
        if ["readme", "index", "_index"].contains(stem.lowercased()) && !category.isEmpty {
            // Folder-per-decision: the folder names the decision.
            stem = lastComponent(category)
            category = parentPath(category)
        }
        self.fileInfo = FileNames.info(stem)
        self.result = ParsedDecision(source: path, category: category, number: fileInfo.number, title: "",
                                     document: document)
        self.result.frontMatter = frontMatter
        self.stem = stem
    }

    let stem: String

    mutating func read() {
        readHeadings()
        readTitle()
        readBlocks()
        readFrontMatter()
        readFollowUps()
        resolveDateAndStatus()
    }

    // MARK: - Headings and title

    mutating func readHeadings() {
        var anchors = AnchorSet()
        for n in doc.children(of: MarkdownDocument.root) where doc[n].kind == .heading {
            let node = doc[n]
            let text = doc.plainText(of: n).trimmingCharacters(in: " \t")
            result.sections.append(Section(title: text, level: Int(node.level), line: Int(node.line), node: n,
                                           anchor: anchors.unique(Slug.make(text))))
        }
    }

    mutating func readTitle() {
        var title: String?
        var titleLine = 1
        if let entry = frontMatter?.entry("title"), let t = entry.value.string?.trimmingCharacters(in: " \t"), !t.isEmpty {
            title = t
            titleLine = entry.line
        }
        // The first H1; a first line like `#46. Title` (no space after #) is read as one, too.
        var headingNode: Int32?
        for n in doc.children(of: MarkdownDocument.root) {
            let node = doc[n]
            if node.kind == .heading && node.level == 1 { headingNode = n; break }
        }
        if headingNode == nil, let first = doc.children(of: MarkdownDocument.root).first(where: { _ in true }) {
            let node = doc[first]
            if node.kind == .heading && !SectionNames.isStandard(doc.plainText(of: first)) {
                // A file that starts with `## Title`; but `## Status` or `## Context` is no title.
                headingNode = first
            } else if node.kind == .paragraph {
                let text = doc.plainText(of: first)
                let firstLine = text.prefix { $0 != "\n" }
                if firstLine.hasPrefix("#"), let c = firstLine.dropFirst().first, c != "#", c != " " {
                    diagnostics.append(.warning(path, line: Int(node.line), column: Int(node.column),
                                                "`\(firstLine.prefix(8))…` is not a heading: put a space after `#`; read as the title"))
                    if title == nil {
                        let (stripped, headingNumber) = TitleRules.stripNumber(String(firstLine.dropFirst()))
                        title = stripped
                        titleLine = Int(node.line)
                        checkNumber(headingNumber, line: Int(node.line), column: Int(node.column))
                    }
                    result.titleNode = first
                }
            }
        }
        if let h = headingNode {
            result.titleNode = h
            if title == nil {
                // Only the part of the heading before a line break, with inline syntax reduced to text.
                let (stripped, headingNumber) = TitleRules.stripNumber(doc.plainText(of: h).trimmingCharacters(in: " \t"))
                title = stripped
                titleLine = Int(doc[h].line)
                checkNumber(headingNumber, line: Int(doc[h].line), column: Int(doc[h].column))
            }
            result.sections.removeAll { $0.node == h }
        }
        if let t = title, !t.isEmpty {
            result.title = t
        } else {
            result.title = FileNames.words(stem)
            diagnostics.append(.warning(path, line: titleLine, column: 1,
                                        "no title (no `title` in front matter and no `# heading`); using the file name"))
        }
    }

    mutating func checkNumber(_ headingNumber: Int?, line: Int, column: Int) {
        guard let headingNumber, let fileNumber = fileInfo.number, headingNumber != fileNumber else { return }
        diagnostics.append(.warning(path, line: line, column: column,
                                    "heading says number \(headingNumber) but the file name says \(fileNumber); using \(fileNumber)"))
    }

    // MARK: - Body: key-value lines, status sections, tables, links

    mutating func readBlocks() {
        var statusSectionLevel: Int? = nil
        var statusSectionTaken = false
        var typedLinkNodes: [Int32: RelationType] = [:]
        var linkReferences: [Reference] = []
        var otherReferences: [Reference] = []
        var mentionRefs: [Reference] = []

        for n in doc.descendants(of: MarkdownDocument.root) {
            let node = doc[n]
            switch node.kind {
            case .heading:
                let text = doc.plainText(of: n)
                if let level = statusSectionLevel, Int(node.level) <= level { statusSectionLevel = nil }
                if isStatusHeading(text) {
                    statusSectionLevel = Int(node.level)
                    statusSectionTaken = false
                }
                scanRun(n, typedLinkNodes: &typedLinkNodes, links: &linkReferences, others: &otherReferences,
                        mentions: &mentionRefs, keyValues: true)
            case .paragraph:
                if statusSectionLevel != nil && !statusSectionTaken {
                    statusSectionTaken = true
                    let text = doc.plainText(of: n).trimmingCharacters(in: " \t\n")
                    if bodyStatus == nil, let status = StatusRules.normalize(text) {
                        bodyStatus = (status, Int(node.line))
                    }
                    if statusDate == nil, let found = Dates.find(in: text) {
                        statusDate = (found, Int(node.line), Int(node.column))
                    }
                }
                scanRun(n, typedLinkNodes: &typedLinkNodes, links: &linkReferences, others: &otherReferences,
                        mentions: &mentionRefs, keyValues: true)
            case .tableCell:
                scanRun(n, typedLinkNodes: &typedLinkNodes, links: &linkReferences, others: &otherReferences,
                        mentions: &mentionRefs, keyValues: false)
            case .table:
                readTable(n, typedLinkNodes: &typedLinkNodes, others: &otherReferences)
            case .htmlBlock:
                for url in HTMLLinks.hrefs(inBlock: node.literal) {
                    linkReferences.append(Reference(type: .linksTo, target: .url(url), line: Int(node.line),
                                                    column: Int(node.column)))
                }
            default:
                break
            }
        }
        // Links stated with a relation word carry its type; the rest are plain links.
        var references = otherReferences
        for var ref in linkReferences {
            if let node = ref.node, let type = typedLinkNodes[node] { ref.type = type }
            references.append(ref)
        }
        references.append(contentsOf: mentionRefs)
        references.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        result.references = references
        result.metadataNodes = preambleMetadata()
    }

    /// The top-level paragraphs and lists before the first section that hold only metadata
    /// lines (`Date: …`, MADR's `* Status: …` bullets): the page header shows them already.
    func preambleMetadata() -> [Int32] {
        let metadata = Set(metadataBlocks)
        var out: [Int32] = []
        for n in doc.children(of: MarkdownDocument.root) {
            let node = doc[n]
            if node.kind == .heading && node.level >= 2 { break }
            if node.kind == .paragraph && metadata.contains(n) {
                out.append(n)
            } else if node.kind == .list {
                let items = Array(doc.children(of: n))
                let allMetadata = !items.isEmpty && items.allSatisfy { item in
                    let children = Array(doc.children(of: item))
                    return children.count == 1 && metadata.contains(children[0])
                }
                if allMetadata { out.append(n) }
            }
        }
        return out
    }

    func isStatusHeading(_ text: String) -> Bool {
        Reader.statusHeadings(text) { text in
            let t = TitleRules.stripNumber(text).title.lowercased().trimmingCharacters(in: " \t:")
            return ["status", "statut", "état", "etat", "estado", "stato", "state", "decision status"].contains(t)
        }
    }

    private static let statusHeadings = Memo<Bool>()

    /// Reads one inline run: `Key: value` lines (status, date, deciders, tags), relation
    /// statements, follow-up references, mentions and links.
    mutating func scanRun(_ block: Int32, typedLinkNodes: inout [Int32: RelationType], links: inout [Reference],
                          others: inout [Reference], mentions: inout [Reference], keyValues: Bool) {
        let run = InlineRun(block: block, in: doc)
        let b = run.bytes
        if keyValues {
            var allMetadata = true
            for line in run.lines where !readKeyValue(run, line) { allMetadata = false }
            if allMetadata { metadataBlocks.append(block) }
        }
        // One pass over the words: relation statements, follow-up references and mentions all
        // start a word, and only words starting with a few letters can start one.
        var typedMentionOffsets: [Int] = []
        var mentionCandidates: [(offset: Int, number: Int)] = []
        var insideLink = false
        var i = 0
        let n = b.count
        let byteClass = Scan.byteClass
        while i < n {
            let c = b[i]
            let cls = byteClass[Int(c)]
            if cls == 0 {
                // Not part of a word: link markers switch the "inside a link" state.
                if c == InlineRun.linkStart { insideLink = true } else if c == InlineRun.linkEnd { insideLink = false }
                i += 1
                continue
            }
            if cls & Scan.startsKeyword != 0, let (type, end) = Scan.relationKeyword(b, at: i) {
                // Relation statements: keyword, then one or more targets.
                var j = end
                var found = false
                while true {
                    Scan.skipSeparators(b, &j)
                    guard j < n else { break }
                    if b[j] == InlineRun.linkStart, let link = run.link(startingAt: j) {
                        typedLinkNodes[link.node] = type
                        j = link.end + 1
                        found = true
                    } else if let (number, mEnd) = Scan.mention(b, at: j) {
                        let pos = run.position(of: j)
                        others.append(Reference(type: type, target: .number(number), line: pos.line, column: pos.column))
                        typedMentionOffsets.append(j)
                        j = mEnd
                        found = true
                    } else {
                        break
                    }
                }
                if found {
                    // The statement's own link markers are passed over: update the link state.
                    for k in i..<j where b[k] == InlineRun.linkStart || b[k] == InlineRun.linkEnd {
                        insideLink = b[k] == InlineRun.linkStart
                    }
                    i = j
                    continue
                }
            }
            // "follow-up 2 of ADR-0007", "follow-ups 1 and 3 of [ADR-7](…)"
            if cls & Scan.startsFollowUp != 0, let ref = followUpReference(run, at: i) {
                for r in ref.refs { result.followUpReferences.append(r) }
                if let offset = ref.mentionOffset { typedMentionOffsets.append(offset) }
                for k in i..<ref.end where b[k] == InlineRun.linkStart || b[k] == InlineRun.linkEnd {
                    insideLink = b[k] == InlineRun.linkStart
                }
                i = ref.end
                continue
            }
            // A mention outside links: `ADR-12`.
            if cls & Scan.startsMention != 0 && !insideLink, let (number, end) = Scan.mention(b, at: i) {
                mentionCandidates.append((i, number))
                i = end
                continue
            }
            // Skip the rest of the word.
            i += 1
            while i < n && byteClass[Int(b[i])] != 0 { i += 1 }
        }
        for (offset, number) in mentionCandidates where !typedMentionOffsets.contains(offset) {
            let pos = run.position(of: offset)
            mentions.append(Reference(type: .mentions, target: .number(number), line: pos.line, column: pos.column))
        }
        for link in run.links where isCandidateLink(link.url) {
            links.append(Reference(type: .linksTo, target: .url(link.url), line: Int(link.line),
                                   column: Int(link.column), node: doc[link.node].kind == .link ? link.node : nil))
        }
    }

    /// Links that may point at another decision: relative paths and web addresses of `.md` files.
    func isCandidateLink(_ url: String) -> Bool {
        if url.isEmpty || url.hasPrefix("#") { return false }
        guard let colon = url.firstIndex(of: ":") else { return true }
        let scheme = url[..<colon].lowercased()
        if scheme.contains("/") || scheme.contains("#") || scheme.contains("?") { return true }
        if scheme == "http" || scheme == "https" {
            let path = url.split(separator: "#", maxSplits: 1)[0].split(separator: "?", maxSplits: 1)[0].lowercased()
            return path.hasSuffix(".md") || path.hasSuffix(".markdown")
        }
        return false
    }

    struct FollowUpMatch {
        var refs: [FollowUpReference]
        var end: Int
        var mentionOffset: Int?
    }

    /// "follow-up 2 of X", "follow up #2 in X", "follow-ups 1, 2 and 4 of X", where X is a
    /// link or an `ADR-7` mention.
    func followUpReference(_ run: InlineRun, at start: Int) -> FollowUpMatch? {
        let b = run.bytes
        if start > 0 && Scan.isAlnum(b[start - 1]) { return nil }
        var i = start
        guard Scan.matches(b, i, Array("follow".utf8)) else { return nil }
        i += 6
        if i < b.count && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: " ")) { i += 1 }
        guard Scan.matches(b, i, Array("up".utf8)) else { return nil }
        i += 2
        if i < b.count && Scan.lower(b[i]) == UInt8(ascii: "s") { i += 1 }
        var numbers: [Int] = []
        while true {
            while i < b.count && (b[i] == 0x20 || b[i] == UInt8(ascii: "#") || b[i] == UInt8(ascii: ",")) { i += 1 }
            if Scan.matches(b, i, Array("and ".utf8)) { i += 4; continue }
            let s = i
            var value = 0
            while i < b.count && Scan.isDigit(b[i]) && i - s < 6 { value = value * 10 + Int(b[i] - 48); i += 1 }
            if i == s { break }
            numbers.append(value)
        }
        guard !numbers.isEmpty else { return nil }
        while i < b.count && b[i] == 0x20 { i += 1 }
        guard Scan.matches(b, i, Array("of ".utf8)) || Scan.matches(b, i, Array("in ".utf8))
                || Scan.matches(b, i, Array("from ".utf8)) else { return nil }
        while i < b.count && b[i] != 0x20 { i += 1 }
        while i < b.count && (b[i] == 0x20 || b[i] == 0x0A) { i += 1 }
        let pos = run.position(of: start)
        guard i < b.count else { return nil }
        if b[i] == InlineRun.linkStart, let link = run.link(startingAt: i) {
            let refs = numbers.map { FollowUpReference(target: .url(link.url), number: $0, line: pos.line, column: pos.column) }
            return FollowUpMatch(refs: refs, end: link.end + 1, mentionOffset: nil)
        }
        if let (number, end) = Scan.mention(b, at: i) {
            let refs = numbers.map { FollowUpReference(target: .number(number), number: $0, line: pos.line, column: pos.column) }
            return FollowUpMatch(refs: refs, end: end, mentionOffset: i)
        }
        return nil
    }

    /// `Status: accepted`, `Date: 2020-01-01`, `Deciders: a, b`, `Tags: x, y` on a line of a
    /// paragraph or list item.
    /// Reads a `Key: value` line; true when it is metadata the page header shows (status,
    /// date, deciders, tags).
    @discardableResult
    mutating func readKeyValue(_ run: InlineRun, _ line: Range<Int>) -> Bool {
        let b = run.bytes
        var i = line.lowerBound
        while i < line.upperBound && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
        let keyStart = i
        // The key ends at `:` or at the full-width colon "：" (EF BC 9A).
        func fullWidthColon(_ i: Int) -> Bool {
            i + 2 < line.upperBound && b[i] == 0xEF && b[i + 1] == 0xBC && b[i + 2] == 0x9A
        }
        while i < line.upperBound && i - keyStart <= 24 && b[i] != UInt8(ascii: ":") && !fullWidthColon(i)
                && b[i] != InlineRun.linkStart {
            i += 1
        }
        let colonLength = i < line.upperBound && fullWidthColon(i) ? 3 : 1
        guard i < line.upperBound, b[i] == UInt8(ascii: ":") || colonLength == 3 else { return false }
        let key = String(decoding: b[keyStart..<i], as: UTF8.self).lowercased().trimmingCharacters(in: " \t*_")
        let valueBytes = b[(i + colonLength)..<line.upperBound]
        let value = InlineRun.plain(valueBytes).trimmingCharacters(in: " \t")
        let pos = run.position(of: keyStart)
        // True only when this line gives the value the page header shows: a second date line, a
        // `Date: TBD` or a status that front matter overrides stays in the body.
        func fromFrontMatter(_ keys: String...) -> Bool {
            keys.contains { frontMatter?.entry($0) != nil }
        }
        switch key {
        case "status", "statut", "estado", "stato", "decision status":
            guard bodyStatus == nil, let status = StatusRules.normalize(value) else { return false }
            bodyStatus = (status, pos.line)
            return !fromFrontMatter("status")
        case "date", "last modified", "last updated", "created", "decision date", "date decided", "datum", "fecha",
             "date created":
            if let found = Dates.find(in: value) {
                guard bodyDate == nil else { return false }
                bodyDate = (found, pos.line, pos.column)
                return !fromFrontMatter("date", "last-modified", "created")
            } else if !value.isEmpty && (key == "date" || key == "last modified") {
                diagnostics.append(.warning(path, line: pos.line, column: pos.column,
                                            "`\(key.prefix(1).uppercased() + key.dropFirst()):` value \"\(value.prefix(40))\" is not a date (YYYY-MM-DD)"))
            }
            return false
        case "deciders", "decision makers", "decision-makers", "decided by", "decision maker":
            guard bodyDeciders == nil else { return false }
            bodyDeciders = ListRules.split(value)
            return !bodyDeciders!.isEmpty && !fromFrontMatter("deciders", "decision-makers", "decided-by")
        case "tags", "keywords":
            guard bodyTags == nil else { return false }
            bodyTags = ListRules.split(value)
            return !bodyTags!.isEmpty && !fromFrontMatter("tags", "keywords")
        default:
            return false
        }
    }

    /// Metadata tables: a row whose first cell is a key (`| Status | Accepted |`), or a one-row
    /// table whose header names the keys. Rows like `| Updates | ADR-8 |` are relations.
    mutating func readTable(_ table: Int32, typedLinkNodes: inout [Int32: RelationType], others: inout [Reference]) {
        let rows = Array(doc.children(of: table))
        func cells(_ row: Int32) -> [Int32] { Array(doc.children(of: row)) }
        func key(_ cell: Int32) -> String {
            doc.plainText(of: cell).lowercased().trimmingCharacters(in: " \t*_:")
        }
        // A header row that names two keys (`| Status | Date |`) heads columns, not a key-value row.
        let headerKeys = rows.first.map { cells($0).filter { Reader.metadataKeys.contains(key($0)) }.count } ?? 0
        for (r, row) in rows.enumerated() {
            if r == 0 && headerKeys >= 2 { continue }
            let c = cells(row)
            guard c.count >= 2 else { continue }
            let k = key(c[0])
            let valueText = doc.plainText(of: c[1]).trimmingCharacters(in: " \t")
            let line = Int(doc[c[1]].line), column = Int(doc[c[1]].column)
            applyTableValue(key: k, value: valueText, line: line, column: column)
            if let (type, end) = Scan.relationKeyword(Array(k.utf8), at: 0), end == k.utf8.count {
                let run = InlineRun(block: c[1], in: doc)
                var j = 0
                while j < run.bytes.count {
                    Scan.skipSeparators(run.bytes, &j)
                    guard j < run.bytes.count else { break }
                    if run.bytes[j] == InlineRun.linkStart, let link = run.link(startingAt: j) {
                        typedLinkNodes[link.node] = type
                        j = link.end + 1
                    } else if let (number, mEnd) = Scan.mention(run.bytes, at: j) {
                        let pos = run.position(of: j)
                        others.append(Reference(type: type, target: .number(number), line: pos.line, column: pos.column))
                        j = mEnd
                    } else {
                        break
                    }
                }
            }
        }
        // A header row naming the keys, with a single row of values.
        if rows.count == 2 {
            let header = cells(rows[0]), values = cells(rows[1])
            for (h, v) in zip(header, values) {
                applyTableValue(key: key(h), value: doc.plainText(of: v).trimmingCharacters(in: " \t"),
                                line: Int(doc[v].line), column: Int(doc[v].column))
            }
        }
    }

    /// Keys a metadata table names.
    static let metadataKeys: Set<String> = [
        "status", "statut", "state", "estado", "decision status", "date", "created", "last modified", "last updated",
        "decision date", "date created", "datum", "fecha", "deciders", "decision makers", "decision-makers",
        "decided by", "tags", "keywords", "author", "authors",
    ]

    mutating func applyTableValue(key: String, value: String, line: Int, column: Int) {
        switch key {
        case "status", "statut", "state", "estado", "decision status":
            if bodyStatus == nil, let status = StatusRules.normalize(value) { bodyStatus = (status, line) }
        case "date", "created", "last modified", "last updated", "decision date", "date created", "datum", "fecha":
            if bodyDate == nil, let found = Dates.find(in: value) { bodyDate = (found, line, column) }
        case "deciders", "decision makers", "decision-makers", "decided by":
            if bodyDeciders == nil { bodyDeciders = ListRules.split(value) }
        case "tags", "keywords":
            if bodyTags == nil { bodyTags = ListRules.split(value) }
        default:
            break
        }
    }

    // MARK: - Front matter

    mutating func readFrontMatter() {
        guard let fm = frontMatter else { return }
        for entry in fm.entries {
            let key = FrontMatter.normalizeKey(entry.key)
            let type: RelationType?
            switch key {
            case "supersedes": type = .supersedes
            case "supersededby", "supercededby": type = .supersededBy
            case "amends": type = .amends
            case "amendedby": type = .amendedBy
            case "replaces": type = .replaces
            case "replacedby": type = .replacedBy
            case "revertedby": type = .revertedBy
            case "reverts": type = .reverts
            case "related", "relatesto", "relatedto", "links": type = .relatesTo
            default: type = nil
            }
            if let type {
                for value in entry.value.strings {
                    result.references.append(Reference(type: type, target: FrontMatterRules.target(value),
                                                       line: entry.line, column: 1))
                }
            }
            if key == "addresses" {
                for value in entry.value.strings {
                    if let ref = FrontMatterRules.followUp(value, line: entry.line) {
                        result.followUpReferences.append(ref)
                    } else {
                        diagnostics.append(.warning(path, line: entry.line, column: 1,
                                                    "`addresses: \(value)` is not of the form `0007#2` (decision, then follow-up number)"))
                    }
                }
            }
        }
        // A relation inside the status value: status: "superseded by ADR-0123".
        if let entry = fm.entry("status"), let value = entry.value.string {
            let b = Array(value.utf8)
            var i = 0
            while i < b.count {
                if let (type, end) = Scan.relationKeyword(b, at: i) {
                    var j = end
                    Scan.skipSeparators(b, &j)
                    if let (number, _) = Scan.mention(b, at: j) {
                        result.references.append(Reference(type: type, target: .number(number), line: entry.line, column: 1))
                    } else if let url = FrontMatterRules.markdownLinkTarget(value) {
                        result.references.append(Reference(type: type, target: .url(url), line: entry.line, column: 1))
                    }
                    break
                }
                i += 1
            }
        }
        result.references.sort { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    // MARK: - Follow-ups

    mutating func readFollowUps() {
        let top = Array(doc.children(of: MarkdownDocument.root))
        var number = 0
        var i = 0
        while i < top.count {
            let node = doc[top[i]]
            guard node.kind == .heading, node.level >= 2,
                  FollowUpRules.isFollowUpHeading(doc.plainText(of: top[i])) else { i += 1; continue }
            let level = node.level
            var j = i + 1
            while j < top.count && !(doc[top[j]].kind == .heading && doc[top[j]].level <= level) {
                if doc[top[j]].kind == .list {
                    for item in doc.children(of: top[j]) {
                        number += 1
                        let itemNode = doc[item]
                        var text = ""
                        if let first = doc.children(of: item).first(where: { _ in true }) {
                            text = doc.plainText(of: first).trimmingCharacters(in: " \t\n")
                        }
                        let links = doc.descendants(of: item).filter { doc[$0].kind == .link }
                        result.followUps.append(FollowUp(number: number, text: text.replacingNBSP(),
                                                         line: Int(itemNode.line), column: Int(itemNode.column),
                                                         node: item, linkNodes: links))
                    }
                }
                j += 1
            }
            i = j
        }
    }

    // MARK: - Status, date, deciders, tags: sources in order

    mutating func resolveDateAndStatus() {
        let fm = frontMatter
        // Status: front matter first, then the first of table cell, `Status:` line, `## Status`.
        var statusWasInvalid = false
        if let entry = fm?.entry("status") {
            switch entry.value {
            case .scalar(let s):
                result.status = StatusRules.normalize(s)
            case .null:
                break
            default:
                statusWasInvalid = true
                diagnostics.append(.warning(path, line: entry.line, column: 1,
                                            "front matter `status` should be a single value, not a list or map; ignored"))
            }
        }
        if result.status == nil { result.status = bodyStatus?.0 }
        if result.status == nil && !statusWasInvalid {
            diagnostics.append(.warning(path, line: 1, column: 1, "no status found (front matter `status`, a `Status:` line or a `## Status` section)"))
        }

        // Date: front matter, then `Date:` lines and table cells, then a date next to the status,
        // then the file or folder name.
        var found: (Dates.Found, Int, Int)?
        if let entry = fm?.entry("date", "last-modified", "created") {
            if let s = entry.value.string, let d = Dates.find(in: s) {
                found = (d, entry.line, 1)
            } else if entry.value != .null {
                diagnostics.append(.warning(path, line: entry.line, column: 1,
                                            "front matter `\(entry.key)` is not a date (YYYY-MM-DD)"))
            }
        }
        if found == nil { found = bodyDate }
        if found == nil { found = statusDate }
        if let (date, line, column) = found {
            result.date = date.date
            if let note = date.note { diagnostics.append(.warning(path, line: line, column: column, note)) }
        } else if let date = fileInfo.date {
            result.date = date
        }

        if let entry = fm?.entry("deciders", "decision-makers", "decisionmakers", "decided-by") {
            result.deciders = entry.value.strings.flatMap { ListRules.split($0) }
        } else if let d = bodyDeciders {
            result.deciders = d
        }
        if let entry = fm?.entry("tags", "keywords") {
            result.tags = entry.value.strings.flatMap { ListRules.split($0) }
        } else if let t = bodyTags {
            result.tags = t
        }
    }
}

/// Rules for titles.
enum TitleRules {
    /// Removes a number prefix a person does not read as part of the title: `1. `, `10 `,
    /// `ADR005: `, `ADR-0005 - `, `0014. `, `72.  `. Returns the number it removed.
    static func stripNumber(_ title: String) -> (title: String, number: Int?) {
        let b = Array(title.utf8)
        var i = 0
        var hadADR = false
        if b.count >= 3 && Scan.lower(b[0]) == UInt8(ascii: "a") && Scan.lower(b[1]) == UInt8(ascii: "d")
            && Scan.lower(b[2]) == UInt8(ascii: "r") {
            i = 3
            hadADR = true
            while i < b.count && (b[i] == 0x20 || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "_") || b[i] == UInt8(ascii: "#")) { i += 1 }
        } else if b.first == UInt8(ascii: "#") {
            i = 1
        }
        let digitsStart = i
        var value = 0
        while i < b.count && Scan.isDigit(b[i]) && i - digitsStart < 9 { value = value * 10 + Int(b[i] - 48); i += 1 }
        guard i > digitsStart else { return (title, nil) }
        // A date is no number prefix: `2020-11-09 Use Kafka`, `2020/11 review`.
        if i + 1 < b.count && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "/")) && Scan.isDigit(b[i + 1]) {
            return (title, nil)
        }
        // Nor is a year followed by words: `2020 roadmap` (but `ADR 2020 Roadmap` is decision 2020).
        if !hadADR && i - digitsStart == 4 && b[digitsStart] != UInt8(ascii: "0") && (1900...2100).contains(value)
            && i < b.count && b[i] == 0x20 {
            return (title, nil)
        }
        // Then a separator: `.`, `:`, `)`, `-`, `–`, `—`, `|` with spaces around, or spaces alone.
        var j = i
        var sawSeparator = false
        var sawSpace = false
        while j < b.count {
            if b[j] == 0x20 || b[j] == 0x09 { sawSpace = true; j += 1; continue }
            if !sawSeparator && (b[j] == UInt8(ascii: ".") || b[j] == UInt8(ascii: ":") || b[j] == UInt8(ascii: ")")
                                 || b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: "|")) {
                // `1.5 release` is not a prefix.
                if b[j] == UInt8(ascii: ".") && j + 1 < b.count && Scan.isDigit(b[j + 1]) { return (title, nil) }
                sawSeparator = true
                j += 1
                continue
            }
            if !sawSeparator && b[j] == 0xE2 && j + 2 < b.count && b[j + 1] == 0x80 && (b[j + 2] == 0x93 || b[j + 2] == 0x94) {
                sawSeparator = true
                j += 3
                continue
            }
            break
        }
        guard (sawSeparator || sawSpace || hadADR), j < b.count else { return (title, nil) }
        if !sawSeparator && !sawSpace { return (title, nil) }
        let rest = String(decoding: b[j...], as: UTF8.self)
        return (rest, value)
    }
}

/// The section headings of the common templates: never a title.
enum SectionNames {
    static let standard: Set<String> = [
        "status", "context", "decision", "consequences", "context and problem statement", "decision outcome",
        "considered options", "decision drivers", "alternatives considered", "follow-up actions", "pros and cons of the options",
        "links", "notes", "references", "summary", "problem", "solution", "options", "background",
    ]

    static func isStandard(_ heading: String) -> Bool {
        standard.contains(heading.lowercased().trimmingCharacters(in: " \t:"))
    }
}

/// Splits "Alice, Bob and Carol" into names.
enum ListRules {
    /// The words that join the last two names, in English, French, German and Spanish.
    static let joiners = [" and ", " & ", " et ", " und ", " y "]

    static func split(_ value: String) -> [String] {
        var parts: [String] = []
        for piece in value.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            var subparts = [" " + piece + " "]
            // No joiner in it (the common case: "Ada", "Ada Lovelace", and all of a list of
            // 100,000 names): the piece is one name.
            if !joiners.contains(where: { subparts[0].utf8.containsSequence($0.utf8) }) {
                let name = piece.trimmingCharacters(in: " \t\n[]")
                if !name.isEmpty { parts.append(name) }
                continue
            }
            for joiner in joiners {
                subparts = subparts.flatMap { splitting($0, on: joiner).map { " " + $0 + " " } }
            }
            for p in subparts {
                let t = p.trimmingCharacters(in: " \t\n[]")
                if !t.isEmpty { parts.append(t) }
            }
        }
        return parts
    }

    /// `text` cut at every occurrence of `separator` (bytes; ASCII separators).
    static func splitting(_ text: String, on separator: String) -> [String] {
        let b = Array(text.utf8), sep = Array(separator.utf8)
        var out: [String] = []
        var start = 0, i = 0
        while i + sep.count <= b.count {
            if b[i] == sep[0] && b[i..<(i + sep.count)].elementsEqual(sep) {
                out.append(String(decoding: b[start..<i], as: UTF8.self))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        out.append(String(decoding: b[start...], as: UTF8.self))
        return out
    }
}

enum FollowUpRules {
    static let headings: Set<String> = [
        "follow-up actions", "follow up actions", "followup actions", "follow-ups", "follow ups", "followups",
        "follow-up", "follow up", "followup", "next steps", "action items", "follow-up items", "follow-up tasks",
        "follow up items", "follow up tasks",
        // French, German, Spanish
        "prochaines étapes", "actions de suivi", "suivi", "suites à donner", "nächste schritte", "folgeaufgaben",
        "folgemaßnahmen", "próximos pasos", "siguientes pasos", "acciones de seguimiento", "seguimiento",
    ]

    static func isFollowUpHeading(_ text: String) -> Bool {
        // The names above are short; a long heading is none of them.
        guard text.utf8.count < 80 else { return false }
        return known(text) { text in
            let t = TitleRules.stripNumber(text).title.lowercased().replacingNBSP()
                .trimmingCharacters(in: " \t:").filter { $0.isLetter || $0 == " " || $0 == "-" }
            return headings.contains(String(t).trimmingCharacters(in: " "))
        }
    }

    private static let known = Memo<Bool>()
}

enum FrontMatterRules {
    /// A decision named in front matter: a path, `ADR-12`, `12`, a Markdown link or an id.
    static func target(_ value: String) -> ReferenceTarget {
        let v = value.trimmingCharacters(in: " \t")
        if let url = markdownLinkTarget(v) { return .url(url) }
        if isMarkdownName(v.split(separator: "#")[0].lowercased().description) { return .url(v) }
        let b = Array(v.utf8)
        if let (number, end) = Scan.mention(b, at: 0), end == b.count { return .number(number) }
        if !b.isEmpty && b.allSatisfy(Scan.isDigit), let n = Int(v) { return .number(n) }
        return .name(v)
    }

    /// `0007#2`, `ADR-7#2`, `0007-x.md#follow-up-2`.
    static func followUp(_ value: String, line: Int) -> FollowUpReference? {
        let parts = value.split(separator: "#", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        var numberPart = parts[1].lowercased()
        if numberPart.hasPrefix("follow-up-") { numberPart.removeFirst(10) }
        guard let number = Int(numberPart) else { return nil }
        return FollowUpReference(target: target(String(parts[0])), number: number, line: line, column: 1)
    }

    /// The destination of the first `[text](destination)` in a string.
    static func markdownLinkTarget(_ value: String) -> String? {
        guard let open = value.range(of: "](") else { return nil }
        let rest = value[open.upperBound...]
        guard let close = rest.firstIndex(of: ")") else { return nil }
        let url = rest[..<close].trimmingCharacters(in: " <>")
        return url.isEmpty ? nil : url
    }
}

/// GitHub-style heading anchors: lowercase, punctuation dropped, spaces to `-`.
enum Slug {
    static func make(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var out = [UInt8]()
            out.reserveCapacity(text.utf8.count)
            for b in text.utf8 {
                switch b {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): out.append(b + 32)
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "_"): out.append(b)
                case UInt8(ascii: " "), UInt8(ascii: "\t"): out.append(UInt8(ascii: "-"))
                default: break
                }
            }
            return out.isEmpty ? "section" : String(decoding: out, as: UTF8.self)
        }
        var out = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "-" || ch == "_" {
                out.append(ch)
            } else if ch == " " || ch == "\t" {
                out.append("-")
            }
        }
        return out.isEmpty ? "section" : out
    }
}

/// Hands out unique anchors within a page: `context`, `context-1`, …
struct AnchorSet {
    private var used: Set<String> = []
    /// The suffix to try next for each base (those below it are taken): 10,000 headings of one
    /// name cost 10,000 tries, not 50 million.
    private var nextSuffix: [String: Int] = [:]
    init(reserved: [String] = []) { used = Set(reserved) }
    mutating func unique(_ base: String) -> String {
        if used.insert(base).inserted { return base }
        var n = nextSuffix[base] ?? 1
        while !used.insert("\(base)-\(n)").inserted { n += 1 }
        nextSuffix[base] = n + 1
        return "\(base)-\(n)"
    }
}
