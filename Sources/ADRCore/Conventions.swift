/// The vocabulary of decision records: every word adrsite recognises, in one place. The parser,
/// the loader and the linker read these tables; the convention tests are generated from them.
/// Words are lowercase; English first, then French, German, Spanish, Italian and Portuguese.
public enum Conventions {
    // MARK: - Metadata keys

    /// What a metadata key gives.
    public enum Field: String, Sendable, CaseIterable {
        case status, date, deciders, tags, authors
    }

    /// The keys of each field, as people write them. The same keys are read in front matter, in
    /// `Key: value` lines and bullets, and in metadata tables (`| Status | Accepted |`), in any
    /// case and with `-`, `_` or spaces (see `key(_:)`).
    public static let fieldKeys: [(Field, [String])] = [
        (.status, ["status", "statut", "état", "etat", "estado", "estatus", "stato", "state", "zustand",
                   "decision status", "current status"]),
        (.date, ["date", "last modified", "last updated", "created", "date created", "decision date",
                 "date decided", "datum", "fecha"]),
        (.deciders, ["deciders", "decision makers", "decision maker", "decided by"]),
        (.tags, ["tags", "keywords"]),
        (.authors, ["author", "authors"]),
    ]

    /// The keys of one field.
    public static func keys(of field: Field) -> [String] {
        fieldKeys.first { $0.0 == field }?.1 ?? []
    }

    /// Metadata keys, as `key(_:)` writes them, and their field.
    public static let metadataKeys: [String: Field] = {
        var map: [String: Field] = [:]
        for (field, keys) in fieldKeys { for k in keys { map[key(k)] = field } }
        return map
    }()

    /// A key as it is compared: lowercase, without spaces, `-`, `_`, `*` and `:` (so `Decision
    /// Makers`, `decision-makers` and `**Status**:` are the keys they look like).
    public static func key<S: StringProtocol>(_ raw: S) -> String { key(utf8: raw.utf8) }

    /// `key(_:)` of UTF-8 bytes (invalid sequences are dropped).
    public static func key<C: Collection<UInt8>>(utf8 raw: C) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var iterator = raw.makeIterator()
        var decoder = UTF8()
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar.isASCII {
                    let b = UInt8(scalar.value)
                    switch b {
                    case 0x20, 0x09, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "*"), UInt8(ascii: ":"): continue
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"): out.append(b | 0x20)
                    default: out.append(b)
                    }
                } else if scalar != "\u{00A0}" && scalar != "：" {
                    out += scalar.properties.lowercaseMapping.utf8
                }
            case .emptyInput: break decoding
            case .error: continue
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The field a metadata key gives, if any.
    public static func field<S: StringProtocol>(forKey raw: S) -> Field? { field(forKey: raw.utf8) }

    public static func field<C: Collection<UInt8>>(forKey raw: C) -> Field? {
        // Keys are short; a long "key" is the start of a sentence.
        guard raw.count <= 32 else { return nil }
        return metadataKeys[key(utf8: raw)]
    }

    // MARK: - Statuses

    /// Status word → badge category. Statuses not listed fall back to `StatusRules`' stems.
    public static let statusWords: [(StatusCategory, [String])] = [
        (.accepted, ["accepted", "accept", "approved", "adopted", "active", "implemented", "partially implemented",
                     "partly implemented", "fully implemented", "done", "agreed", "decided", "final", "in effect",
                     "ratified", "completed", "complete", "confirmed", "valid", "live", "enacted", "established",
                     "amended", "partially accepted", "accepté", "acceptée", "approuvé", "approuvée", "adopté",
                     "adoptée", "validé", "validée", "décidé", "décidée", "aceptado", "aceptada", "aprobado",
                     "aprobada", "akzeptiert", "angenommen", "genehmigt", "beschlossen", "accettato", "approvato",
                     "aceito", "aprovado", "aprovada", "implémenté", "implémentée", "en vigueur", "implementado",
                     "implementada", "vigente", "gültig", "umgesetzt", "implementiert", "erledigt"]),
        (.proposed, ["proposed", "proposal", "pending", "in review", "review", "draft", "open", "wip",
                     "work in progress", "in progress", "under review", "under discussion", "under consideration",
                     "discussing", "discussion", "suggested", "rfc", "request for comments", "planned", "new",
                     "ready for review", "to do", "todo", "not started", "initial", "exploring", "investigating",
                     "provisionally accepted", "tentatively accepted", "proposé", "proposée", "brouillon",
                     "en cours", "en discussion", "propuesto", "propuesta", "borrador", "vorgeschlagen", "entwurf",
                     "proposto", "proposta", "rascunho", "tbd", "en attente", "en révision", "in bearbeitung",
                     "in prüfung", "in diskussion", "offen", "en revisión", "en progreso", "pendiente"]),
        (.rejected, ["rejected", "declined", "refused", "abandoned", "withdrawn", "not accepted", "won't do",
                     "wont do", "not implemented", "dropped", "cancelled", "canceled", "discarded", "vetoed",
                     "failed", "rejeté", "rejetée", "refusé", "refusée", "abandonné", "abandonnée", "rechazado",
                     "rechazada", "abgelehnt", "verworfen", "zurückgezogen", "descartado", "descartada", "rifiutato",
                     "respinto", "rejeitado", "rejeitada"]),
        (.deprecated, ["deprecated", "obsolete", "retired", "archived", "legacy", "sunset", "sunsetted",
                       "outdated", "expired", "inactive", "revoked", "no longer relevant", "déprécié", "dépréciée",
                       "obsolète", "obsoleto", "obsoleta", "veraltet", "archiviert", "archivé", "archivée",
                       "abgekündigt", "en desuso"]),
        (.superseded, ["superseded", "superceded", "superseeded", "supersceded", "replaced", "reverted", "partly superseded",
                       "partially superseded", "overridden", "overruled", "remplacé", "remplacée", "reemplazado",
                       "reemplazada", "ersetzt", "abgelöst", "sostituito", "substituído", "substituida"]),
        (.other, ["on hold", "paused", "postponed", "deferred", "blocked", "experimental", "unknown"]),
    ]

    /// Statuses of more than one word, read as one.
    public static let statusPhrases: [String] = [
        "work in progress", "in progress", "in review", "under review", "under discussion", "under consideration",
        "on hold", "ready for review", "request for comments", "to do", "won't do", "wont do", "no longer relevant",
        "in effect", "not started", "en cours", "en discussion", "en attente", "en révision", "en vigueur",
        "in bearbeitung", "in prüfung", "in diskussion", "en revisión", "en progreso", "en desuso",
    ]

    /// Words that qualify the status word after them (`partially implemented`, `not accepted`).
    public static let statusQualifiers: Set<String> = ["partially", "partly", "not", "fully", "provisionally", "tentatively"]

    /// Words that end a status (`superseded by …`, `accepted on …`, `proposed as of …`).
    public static let statusStopWords: Set<String> = [
        "by", "in", "on", "as", "at", "since", "from", "to", "with", "for", "and", "or", "but", "via", "until",
        "after", "because", "of", "the", "per", "see", "par", "le", "la", "en", "et", "pour", "de", "des", "du",
        "durch", "von", "am", "und", "por", "y", "el",
    ]

    // MARK: - Relations

    /// Phrases that state a relation to the decisions named after them, lowercase, longest
    /// first where one is a prefix of another.
    public static let relationPhrases: [(String, RelationType)] = [
        ("superseded by", .supersededBy), ("superceded by", .supersededBy), ("superseeded by", .supersededBy),
        ("supersedes", .supersedes), ("supercedes", .supersedes), ("supersede", .supersedes),
        ("amended by", .amendedBy), ("amends", .amends),
        ("replaced by", .replacedBy), ("replaces", .replaces),
        ("reverted by", .revertedBy), ("reverts", .reverts),
        ("in favor of", .replacedBy), ("in favour of", .replacedBy),
        ("completed by", .completedBy), ("completes", .completes),
        ("updated by", .updatedBy), ("updates", .updates),
        ("clarified by", .clarifiedBy), ("clarifies", .clarifies),
        ("extended by", .extendedBy), ("extends", .extends),
        ("relates to", .relatesTo), ("related to", .relatesTo),
    ]

    /// The relation a front matter key states (`superseded-by: 0005-x`): each phrase as a key,
    /// and `related` and `links` for plain relations.
    public static let relationKeys: [String: RelationType] = {
        var map: [String: RelationType] = [:]
        for (phrase, type) in relationPhrases { map[key(phrase)] = type }
        map["related"] = .relatesTo
        map["links"] = .relatesTo
        return map
    }()

    // MARK: - Sections

    /// Headings of the section that holds the status (`## Status`).
    public static let statusSections: Set<String> = Set(keys(of: .status))

    /// Headings of the section whose list items are a decision's follow-up actions.
    public static let followUpSections: Set<String> = [
        "follow-up actions", "follow up actions", "followup actions", "follow-ups", "follow ups", "followups",
        "follow-up", "follow up", "followup", "next steps", "action items", "follow-up items", "follow-up tasks",
        "follow up items", "follow up tasks",
        "prochaines étapes", "actions de suivi", "suivi", "suites à donner", "nächste schritte", "folgeaufgaben",
        "folgemaßnahmen", "próximos pasos", "siguientes pasos", "acciones de seguimiento", "seguimiento",
    ]

    /// The section headings of the common templates: never a title.
    public static let standardSections: Set<String> = [
        "status", "context", "decision", "consequences", "context and problem statement", "decision outcome",
        "considered options", "decision drivers", "alternatives considered", "follow-up actions", "pros and cons of the options",
        "links", "notes", "references", "summary", "problem", "solution", "options", "background",
    ]

    /// Headings of a list of the states a decision went through, latest by date (EdgeX's
    /// `## Change Log` with `- [approved](…) (2023-04-17)`): where nothing else gives a status or
    /// date, its latest entry does.
    public static let changeLogSections: Set<String> = [
        "change log", "changelog", "change history", "status history", "revision history", "history",
    ]

    /// The sections whose first paragraph is a decision's summary (search, feed).
    public static let summarySections: Set<String> = ["context", "context and problem statement", "summary", "problem"]

    /// What a section heading says its section is.
    public struct SectionRole: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let status = SectionRole(rawValue: 1)
        public static let followUps = SectionRole(rawValue: 2)
        public static let changeLog = SectionRole(rawValue: 4)
        public static let summary = SectionRole(rawValue: 8)
        /// One of the common templates' sections: a heading like this is never a title.
        public static let standard = SectionRole(rawValue: 16)
    }

    /// The role of a section, from its heading: its words, without a number before them (`## 2.
    /// Status`), punctuation, case or spacing (`Follow-up actions:`, `FOLLOW UP ACTIONS`).
    public static func sectionRole(_ heading: String) -> SectionRole {
        // The names are short; a long heading is none of them.
        guard heading.utf8.count < 80 else { return [] }
        return knownRoles(heading) { heading in
            let key = sectionKey(heading)
            var role: SectionRole = []
            for (set, flag) in sectionKeys where set.contains(key) { role.insert(flag) }
            return role
        }
    }

    /// A heading as its section is looked up: its letters, lowercased, after any number prefix.
    static func sectionKey(_ heading: String) -> String {
        var key = String.UnicodeScalarView()
        for scalar in TitleRules.stripNumber(heading).title.lowercased().unicodeScalars where isLetter(scalar) {
            key.append(scalar)
        }
        return String(key)
    }

    /// Unicode's Alphabetic property; ASCII (A–Z, a–z) answered without the property tables.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return scalar.properties.isAlphabetic }
        return (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A
    }

    private static let sectionKeys: [(Set<String>, SectionRole)] = {
        let names: [(Set<String>, SectionRole)] = [
            (statusSections, .status), (followUpSections, .followUps), (changeLogSections, .changeLog),
            (summarySections, .summary), (standardSections, .standard),
        ]
        return names.map { (Set($0.0.map(sectionKey)), $0.1) }
    }()

    private static let knownRoles = Memo<SectionRole>()

    // MARK: - Files

    /// Extensions of Markdown files, lowercase.
    public static let markdownExtensions = ["md", "markdown"]

    /// Stems of a folder's index file: `slug/README.md` is the decision `slug` when it is the only
    /// Markdown file of its folder, and a link to `slug/` leads to it.
    public static let folderIndexStems: Set<String> = ["readme", "index", "_index"]

    /// Files of a repository that are no decisions when written in capitals (`CONTRIBUTING.md`).
    public static let repositoryFileStems: Set<String> = [
        "contributing", "changelog", "license", "licence", "code_of_conduct", "security", "authors", "notice",
    ]

    /// Navigation files of documentation generators.
    public static let navigationFileStems: Set<String> = ["summary", "_sidebar"]

    /// Words that name a kind of decision record (`adr-template.md`, `decision-record-template-v2.md`).
    public static let recordWords: Set<String> = [
        "adr", "adrs", "madr", "decision", "decisions", "record", "records", "architecture", "architectural",
        "nygard", "lightweight", "y", "statement",
    ]

    // MARK: - Lists of names

    /// The words that join the last two names of a list, in English, French, German and Spanish.
    public static let nameJoiners = [" and ", " & ", " et ", " und ", " y "]
}
