/// Front matter, the follow-up sections, and where the status, date, deciders and tags come
/// from when several places give them.
extension Reader {
    // MARK: - Front matter

    mutating func readFrontMatter() {
        guard let fm = frontMatter else { return }
        result.language = fm.entry("lang", "language")?.value.string
        for entry in fm.entries {
            let key = Conventions.key(entry.key)
            if let type = Conventions.relationKeys[key] {
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
        if let entry = fm.entry(.status), let value = entry.value.string {
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
            guard node.kind == .heading, node.level >= 2, role(of: top[i]).contains(.followUps) else { i += 1; continue }
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
                        let links = doc.descendants(of: item).filter { doc[$0].kind == .link }.compactMap { linkIndex[$0] }
                        var followUp = FollowUp(number: number, text: text.replacingNBSP(),
                                                line: Int(itemNode.line), column: Int(itemNode.column), links: links)
                        // A task list item (`- [x] Migrate the ledger`) says whether it is done.
                        if itemNode.task != .none { followUp.checked = itemNode.task == .checked }
                        result.followUps.append(followUp)
                        followUpNodes.append(item)
                    }
                }
                j += 1
            }
            i = j
        }
    }

    // MARK: - Status, date, deciders, tags: sources in order

    /// The latest entry of a change log section (`Conventions.changeLogSections`): the one with
    /// the latest date, else the last; its status and date, if it gives them.
    func latestChangeLogEntry() -> (status: String?, date: Dates.Found?, line: Int, column: Int)? {
        let top = Array(doc.children(of: MarkdownDocument.root))
        guard let h = top.firstIndex(where: { doc[$0].kind == .heading && doc[$0].level >= 2 && role(of: $0).contains(.changeLog) })
        else { return nil }
        let level = doc[top[h]].level
        guard let list = top[(h + 1)...].prefix(while: { !(doc[$0].kind == .heading && doc[$0].level <= level) })
            .first(where: { doc[$0].kind == .list }) else { return nil }
        var last: (status: String?, date: Dates.Found?, line: Int, column: Int)?
        var latestDated: (status: String?, date: Dates.Found?, line: Int, column: Int)?
        for item in doc.children(of: list) {
            guard let first = doc.children(of: item).first(where: { _ in true }) else { continue }
            let text = doc.plainText(of: first).trimmingCharacters(in: " \t\n")
            let entry = (status: StatusRules.normalize(text), date: Dates.find(in: text), line: Int(doc[item].line),
                         column: Int(doc[item].column))
            last = entry
            if let date = entry.date?.date, latestDated?.date.map({ $0.date <= date }) ?? true { latestDated = entry }
        }
        return latestDated ?? last
    }

    mutating func resolveDateAndStatus() {
        let fm = frontMatter
        // Status: front matter first, then the first of table cell, `Status:` line, `## Status`.
        var statusWasInvalid = false
        if let entry = fm?.entry(.status) {
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
        let changeLog = latestChangeLogEntry()
        if result.status == nil && !statusWasInvalid { result.status = changeLog?.status }
        if result.status == nil && !statusWasInvalid {
            diagnostics.append(.warning(path, line: 1, column: 1, "no status found (front matter `status`, a `Status:` line or a `## Status` section)"))
        }

        // Date: front matter, then `Date:` lines and table cells, then a date next to the status,
        // then the file or folder name.
        var found: (Dates.Found, Int, Int)?
        if let entry = fm?.entry(.date) {
            if let s = entry.value.string, let d = Dates.find(in: s) {
                found = (d, entry.line, 1)
            } else if entry.value != .null {
                diagnostics.append(.warning(path, line: entry.line, column: 1,
                                            "front matter `\(entry.key)` is not a date (YYYY-MM-DD)"))
            }
        }
        if found == nil { found = bodyDate }
        if found == nil { found = statusDate }
        if found == nil, let entry = changeLog, let date = entry.date { found = (date, entry.line, entry.column) }
        if let (date, line, column) = found {
            result.date = date.date
            if let note = date.note { diagnostics.append(.warning(path, line: line, column: column, note)) }
        } else if let date = fileInfo.date {
            result.date = date
        }

        if let entry = fm?.entry(.deciders) {
            result.deciders = entry.value.strings.flatMap { ListRules.split($0) }
        } else if let d = bodyDeciders {
            result.deciders = d
        }
        if let entry = fm?.entry(.tags) {
            result.tags = entry.value.strings.flatMap { ListRules.split($0) }
        } else if let t = bodyTags {
            result.tags = t
        }
    }

    /// The short summary of the decision (search, feed): the first paragraph of the first
    /// section named one of `Conventions.summarySections` ("Context"), else the first paragraph;
    /// on one line, cut at a word after at most `limit` characters.
    func summary(limit: Int = 240) -> String {
        var inSection = false
        var firstParagraph: Int32?
        for n in doc.children(of: MarkdownDocument.root) {
            let node = doc[n]
            if node.kind == .heading {
                inSection = role(of: n).contains(.summary)
                continue
            }
            if node.kind == .paragraph {
                if inSection { return Reader.clip(doc.plainText(of: n), limit) }
                if firstParagraph == nil { firstParagraph = n }
            }
        }
        return firstParagraph.map { Reader.clip(doc.plainText(of: $0), limit) } ?? ""
    }

    /// The text on one line, cut at a word boundary after at most `limit` characters.
    static func clip(_ s: String, _ limit: Int) -> String {
        var bytes = Array(s.utf8)
        for k in bytes.indices where bytes[k] == 0x0A { bytes[k] = 0x20 }
        // Character counts matter only near the limit; bytes over-count, so check cheaply first.
        if bytes.count <= limit { return String(decoding: bytes, as: UTF8.self) }
        let flat = String(decoding: bytes, as: UTF8.self)
        // Characters counted only as far as the limit: a section can be long.
        guard let end = flat.index(flat.startIndex, offsetBy: limit, limitedBy: flat.endIndex), end != flat.endIndex
        else { return flat }
        var cut = String(flat[..<end])
        if let space = cut.lastIndex(of: " ") { cut = String(cut[..<space]) }
        return cut + "…"
    }

    /// Everything a reader sees in the body, on one line, without the title: blocks apart by a
    /// space, line breaks as spaces, raw HTML left out (the search box's text).
    func searchText() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(doc.text.count)
        var child = doc[MarkdownDocument.root].firstChild
        while child >= 0 {
            if child != titleNode {
                if let last = out.last, last != 0x20 { out.append(0x20) }
                doc.appendPlainText(of: child, to: &out)
            }
            child = doc[child].next
        }
        return String(decoding: out, as: UTF8.self)
    }
}
