/// The body's blocks: `Key: value` lines, status sections, metadata tables, relation
/// statements, follow-up references, mentions and links.
extension Reader {
    mutating func readBlocks() {
        var statusSectionLevel: Int? = nil
        var statusSectionTaken = false
        var typedLinkNodes: [Int32: RelationType] = [:]
        // Link references with the node of their link, if it is a Markdown link.
        var linkReferences: [(Reference, Int32?)] = []
        var otherReferences: [Reference] = []
        var mentionRefs: [Reference] = []

        for n in doc.descendants(of: MarkdownDocument.root) {
            let node = doc[n]
            switch node.kind {
            case .heading:
                if let level = statusSectionLevel, Int(node.level) <= level { statusSectionLevel = nil }
                if role(of: n).contains(.status) {
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
                for url in HTMLLinks.hrefs(inBlock: doc.literal(n)) {
                    linkReferences.append((Reference(type: .linksTo, target: .url(url), line: Int(node.line),
                                                     column: Int(node.column)), nil))
                }
            default:
                break
            }
        }
        // Links stated with a relation word carry its type; the rest are plain links.
        var references = otherReferences
        for (var ref, node) in linkReferences {
            if let node, let type = typedLinkNodes[node] { ref.type = type }
            references.append(ref)
        }
        references.append(contentsOf: mentionRefs)
        references.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        result.references = references
        metadataNodes = preambleMetadata()
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

    /// Reads one inline run: `Key: value` lines (status, date, deciders, tags), relation
    /// statements, follow-up references, mentions and links.
    mutating func scanRun(_ block: Int32, typedLinkNodes: inout [Int32: RelationType], links: inout [(Reference, Int32?)],
                          others: inout [Reference], mentions: inout [Reference], keyValues: Bool) {
        // The run's storage is kept from one block to the next.
        var run = runStorage
        runStorage = InlineRun()
        run.read(block, in: doc)
        defer { runStorage = run }
        let b = run.bytes
        if keyValues {
            var allMetadata = true
            var start = 0
            for end in 0...b.count where end == b.count || b[end] == 0x0A {
                if !readKeyValue(run, start..<end) { allMetadata = false }
                start = end + 1
            }
            if allMetadata { metadataBlocks.append(block) }
        }
        // One pass over the words: relation statements, follow-up references and mentions all
        // start a word, and only words starting with a few letters can start one.
        var typedMentionOffsets: [Int] = []
        var mentionCandidates: [(offset: Int, number: Int)] = []
        var insideLink = false
        var i = 0
        let n = b.count
        let byteClass = Scan.byteClass, keywordStarts = Scan.keywordStarts
        while i < n {
            // Over plain bytes and words that start nothing, in one tight loop.
            i = b.withUnsafeBufferPointer { Scan.nextCandidate($0, from: i) }
            guard i < n else { break }
            let c = b[i]
            let cls = byteClass[Int(c)]
            if cls == 0 {
                // Not part of a word: link markers switch the "inside a link" state.
                if c == InlineRun.linkStart { insideLink = true } else if c == InlineRun.linkEnd { insideLink = false }
                i += 1
                continue
            }
            // Most words start none of the statements: their first two bytes say so.
            let second = i + 1 < n ? Scan.lower(b[i + 1]) : 0
            if cls & Scan.startsKeyword != 0, keywordStarts[Int(Scan.lower(c)) << 8 | Int(second)],
               let (type, end) = Scan.relationKeyword(b, at: i) {
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
            if cls & Scan.startsFollowUp != 0, second == UInt8(ascii: "o"), let ref = followUpReference(run, at: i) {
                for r in ref.refs { result.followUpReferences.append(r) }
                if let offset = ref.mentionOffset { typedMentionOffsets.append(offset) }
                for k in i..<ref.end where b[k] == InlineRun.linkStart || b[k] == InlineRun.linkEnd {
                    insideLink = b[k] == InlineRun.linkStart
                }
                i = ref.end
                continue
            }
            // A mention outside links: `ADR-12`.
            if cls & Scan.startsMention != 0 && !insideLink, second == UInt8(ascii: "d"), let (number, end) = Scan.mention(b, at: i) {
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
        for link in run.links where Self.isCandidateLink(link.url) {
            let isLink = doc[link.node].kind == .link
            links.append((Reference(type: .linksTo, target: .url(link.url), line: Int(link.line), column: Int(link.column),
                                    link: isLink ? linkIndex[link.node] : nil), isLink ? link.node : nil))
        }
    }

    /// Links that may point at another decision: relative paths and web addresses of Markdown
    /// files. Read on the address's bytes, as URLs are: the scheme ends at the first `:` (a `/`,
    /// `#` or `?` before it makes the address relative), the path at the first `#` or `?`.
    static func isCandidateLink(_ url: String) -> Bool {
        let b = url.utf8
        guard let first = b.first, first != UInt8(ascii: "#") else { return false }
        guard let colon = b.firstIndex(of: UInt8(ascii: ":")) else { return true }
        if b[..<colon].contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "?") }) {
            return true
        }
        guard Paths.isWebScheme(b[..<colon]) else { return false }
        let end = b.firstIndex { $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "?") } ?? b.endIndex
        return Paths.isMarkdown(String(url[..<end]))
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
            while i < b.count && Scan.isDigit(b[i]) { if i - s < 7 { value = value * 10 + Int(b[i] - 48) }; i += 1 }
            if i == s { break }
            // No list has a million follow-ups: a longer number is no follow-up number.
            if i - s > 6 { return nil }
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
        guard let field = Conventions.field(forKey: b[keyStart..<i]) else { return false }
        let keyEnd = i
        let valueBytes = b[(i + colonLength)..<line.upperBound]
        let value = InlineRun.plain(valueBytes).trimmingCharacters(in: " \t")
        let pos = run.position(of: keyStart)
        // True only when this line gives the value the page header shows: a second date line, a
        // `Date: TBD` or a status that front matter overrides stays in the body.
        let fromFrontMatter = frontMatter?.entry(field) != nil
        switch field {
        case .status:
            guard bodyStatus == nil, let status = StatusRules.normalize(value) else { return false }
            bodyStatus = (status, pos.line)
            return !fromFrontMatter
        case .date:
            if let found = Dates.find(in: value) {
                guard bodyDate == nil else { return false }
                bodyDate = (found, pos.line, pos.column)
                return !fromFrontMatter
            } else if !value.isEmpty,
                      case let normalized = Conventions.key(utf8: b[keyStart..<keyEnd]), normalized == "date" || normalized == "lastmodified" {
                let key = String(decoding: b[keyStart..<keyEnd], as: UTF8.self).lowercased().trimmingCharacters(in: " \t*_")
                diagnostics.append(.warning(path, line: pos.line, column: pos.column,
                                            "`\(key.prefix(1).uppercased() + key.dropFirst()):` value \"\(value.prefix(40))\" is not a date (YYYY-MM-DD)"))
            }
            return false
        case .deciders:
            guard bodyDeciders == nil else { return false }
            bodyDeciders = ListRules.split(value)
            return !bodyDeciders!.isEmpty && !fromFrontMatter
        case .tags:
            guard bodyTags == nil else { return false }
            bodyTags = ListRules.split(value)
            return !bodyTags!.isEmpty && !fromFrontMatter
        case .authors:
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
        let headerKeys = rows.first.map { cells($0).filter { Conventions.field(forKey: key($0)) != nil }.count } ?? 0
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

    mutating func applyTableValue(key: String, value: String, line: Int, column: Int) {
        switch Conventions.field(forKey: key) {
        case .status?:
            if bodyStatus == nil, let status = StatusRules.normalize(value) { bodyStatus = (status, line) }
        case .date?:
            if bodyDate == nil, let found = Dates.find(in: value) { bodyDate = (found, line, column) }
        case .deciders?:
            if bodyDeciders == nil { bodyDeciders = ListRules.split(value) }
        case .tags?:
            if bodyTags == nil { bodyTags = ListRules.split(value) }
        case .authors?, nil:
            break
        }
    }
}
