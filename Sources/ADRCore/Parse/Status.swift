/// The six kinds of status a badge can show.
public enum StatusCategory: String, Sendable, CaseIterable, Hashable, Comparable {
    case proposed, accepted, rejected, deprecated, superseded, other

    public static func < (a: StatusCategory, b: StatusCategory) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// How a careful reader turns a status line into a status: the leading status word(s),
/// lowercased, as a person would say them.
public enum StatusRules {
    /// The relation phrases that state who replaced a decision ("superseded by", "reverted by").
    private static let relationParticiples = Set(Conventions.relationPhrases.map(\.0).filter { $0.hasSuffix(" by") })

    private static let qualifiers = Conventions.statusQualifiers
    private static let stopWords = Conventions.statusStopWords
    private static let phrases = Conventions.statusPhrases

    /// Status word → category (`Conventions.statusWords`).
    private static let categories: [String: StatusCategory] = {
        var map: [String: StatusCategory] = [:]
        for (category, words) in Conventions.statusWords { for w in words { map[w] = category } }
        return map
    }()

    /// The status a person reads in `raw`, or nil when it holds no words.
    ///
    /// `Accepted (lazy consensus) & implemented` → `accepted`; `Superseded by [3. X](…)` →
    /// `superseded`; `Partially Implemented in #1811` → `partially implemented`;
    /// `Not-Implemented` → `not implemented`; `** Approved **` → `approved`.
    public static func normalize(_ raw: String) -> String? {
        normalized(raw) { normalizeUncached($0) }
    }

    private static let normalized = Memo<String?>()

    private static func normalizeUncached(_ raw: String) -> String? {
        // The status is in the first words; a whole paragraph need not be read.
        let head = raw.utf8.count > 400 ? String(raw.prefix(300)) : raw
        // Drop what precedes the first letter: emoji, `*`, `[`, quotes.
        var text = Substring(head.replacingNBSP())
        text = text.drop { !$0.isLetter }
        guard !text.isEmpty else { return nil }
        var lower = text.lowercased()
        // A label before the value is no part of it: `Status: Accepted`, `Statut : Accepté`.
        if let value = dropLabel(lower) {
            lower = String(value.drop { !$0.isLetter })
            guard !lower.isEmpty else { return nil }
        }
        // A history of states ends with the current one: `Proposed → Accepted`.
        for arrow in ["→", "⟶", "➡", "⇒", "->", "=>"] where lower.utf8.containsSequence(arrow.utf8) {
            for part in lower.components(separatedBy: arrow).reversed() {
                let candidate = String(part.drop { !$0.isLetter })
                if let status = read(candidate), category(status) != .other { return status }
            }
        }
        return read(lower)
    }

    /// The status words at the start of `lower` (lowercased, starting with a letter).
    private static func read(_ lower: String) -> String? {
        guard !lower.isEmpty else { return nil }
        // Words: hyphens between letters become spaces ("not-implemented"); a slash between two
        // statuses ends the first ("accepted/implemented"), but not in "n/a".
        var words: [(word: String, endsClause: Bool, clean: Bool)] = []
        for piece in lower.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .flatMap(splitSlashes) {
            var w = Substring(piece)
            var endsClause = false
            while let last = w.last, ".,;:!?)]}*_`~/\"'”’»".contains(last) {
                w = w.dropLast()
                endsClause = true
            }
            let clean = !w.isEmpty && w.allSatisfy { $0.isLetter || $0 == "-" || $0 == "'" || $0 == "’" }
            let parts = w.split(separator: "-")
            for (k, part) in parts.enumerated() {
                let isLast = k == parts.count - 1
                words.append((String(part), isLast ? endsClause : false, clean))
            }
            if words.count > 40 { break }
        }
        guard let first = words.first, first.clean else {
            // A status that starts with something else entirely (a number, a symbol).
            return nil
        }
        // "Reverted by [the accepted plan](…)": the status is the participle of the relation,
        // whatever the named decision's title says.
        if words.count > 1, !first.endsClause, relationParticiples.contains(first.word + " " + words[1].word) {
            return first.word
        }
        let joined = words.prefix(4).map(\.word).joined(separator: " ")
        for phrase in phrases where joined == phrase || joined.hasPrefix(phrase + " ") {
            return phrase
        }
        if qualifiers.contains(first.word), words.count > 1, words[1].clean, !first.endsClause,
           categories[first.word + " " + words[1].word] != nil || isKnown(words[1].word) {
            return first.word + " " + words[1].word
        }
        if isKnown(first.word) { return first.word }
        // Not a status word we know: a short status is taken as written; in a sentence, the first
        // status word we know ("This decision was accepted") is what a reader takes away.
        if words.count > 3 {
            for w in words.prefix(25) where w.clean && categories[w.word] != nil && !qualifiers.contains(w.word) {
                return w.word
            }
        }
        var out: [String] = []
        for w in words.prefix(3) {
            guard w.clean else { break }
            if !out.isEmpty && stopWords.contains(w.word) { break }
            out.append(w.word)
            if w.endsClause { break }
        }
        return out.isEmpty ? nil : out.joined(separator: " ")
    }

    private static func isKnown(_ word: String) -> Bool { categories[word] != nil }

    /// Words that label a status value rather than state one: the status keys, as written,
    /// longest first.
    private static let labels: [String] = Conventions.keys(of: .status).sorted { $0.count > $1.count }

    /// The text after a leading `Status:` label (also with a space or full-width colon before the
    /// value), or nil when there is no label.
    private static func dropLabel(_ lower: String) -> Substring? {
        for label in labels where lower.hasPrefix(label) {
            let rest = lower.dropFirst(label.count).drop { $0 == " " || $0 == "\t" || $0 == "*" || $0 == "_" }
            if let first = rest.first, first == ":" || first == "：" { return rest.dropFirst() }
        }
        return nil
    }

    /// `accepted/implemented` → `accepted/`, `implemented`; `n/a` stays whole.
    private static func splitSlashes(_ piece: Substring) -> [Substring] {
        let parts = piece.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 1, parts.allSatisfy({ $0.filter(\.isLetter).count >= 2 }) else { return [piece] }
        return parts.enumerated().map { index, part in
            index < parts.count - 1 ? piece[part.startIndex..<piece.index(after: part.endIndex)] : part
        }
    }

    /// The badge category of a status.
    public static func category(_ status: String?) -> StatusCategory {
        guard let status, !status.isEmpty else { return .other }
        if let known = categories[status] { return known }
        return categoryByStem(status)
    }

    private static func categoryByStem(_ status: String) -> StatusCategory {
        let s = status
        if s.contains("supers") || s.contains("superc") || s.contains("replac") { return .superseded }
        if s.contains("deprecat") || s.contains("obsolet") || s.contains("retire") { return .deprecated }
        // Not yet decided is still open: "not yet accepted", "not yet decided".
        if s.hasPrefix("not yet ") || s.hasPrefix("pas encore ") || s.hasPrefix("noch nicht ") || s.hasPrefix("aún no ")
            || s.hasPrefix("todavía no ") {
            return .proposed
        }
        if s.contains("reject") || s.contains("declin") || s.hasPrefix("not ") { return .rejected }
        if s.contains("accept") || s.contains("approv") || s.contains("implement") || s.contains("adopt") {
            return .accepted
        }
        if s.contains("propos") || s.contains("draft") || s.contains("review") || s.contains("discuss") {
            return .proposed
        }
        return .other
    }
}

extension StringProtocol {
    func replacingNBSP() -> String {
        // No-break spaces are C2 A0 and E2 80 AF in UTF-8; most text has neither.
        if !utf8.contains(0xC2) && !utf8.contains(0xE2) { return String(self) }
        return String(self.map { $0 == "\u{00A0}" || $0 == "\u{202F}" ? " " : $0 })
    }
}

extension Collection where Element == UInt8 {
    /// Whether the bytes contain `needle` (plain byte comparison, no locale rules).
    func containsSequence<C: Collection>(_ needle: C) -> Bool where C.Element == UInt8 {
        let n = Array(needle)
        guard let first = n.first else { return true }
        var i = startIndex
        while i != endIndex {
            if self[i] == first && self[i...].starts(with: n) { return true }
            formIndex(after: &i)
        }
        return false
    }
}
