/// The kinds of relation one decision states about another. Each has a reverse, which the link
/// pass records on the other decision as a backlink.
public enum RelationType: String, Sendable, Hashable, CaseIterable {
    case supersedes
    case supersededBy = "superseded-by"
    case amends
    case amendedBy = "amended-by"
    case replaces
    case replacedBy = "replaced-by"
    case reverts
    case revertedBy = "reverted-by"
    case completes
    case completedBy = "completed-by"
    case updates
    case updatedBy = "updated-by"
    case clarifies
    case clarifiedBy = "clarified-by"
    case extends
    case extendedBy = "extended-by"
    case relatesTo = "relates-to"
    case linksTo = "links-to"
    case mentions

    public var reverse: RelationType {
        switch self {
        case .supersedes: return .supersededBy
        case .supersededBy: return .supersedes
        case .amends: return .amendedBy
        case .amendedBy: return .amends
        case .replaces: return .replacedBy
        case .replacedBy: return .replaces
        case .reverts: return .revertedBy
        case .revertedBy: return .reverts
        case .completes: return .completedBy
        case .completedBy: return .completes
        case .updates: return .updatedBy
        case .updatedBy: return .updates
        case .clarifies: return .clarifiedBy
        case .clarifiedBy: return .clarifies
        case .extends: return .extendedBy
        case .extendedBy: return .extends
        case .relatesTo: return .relatesTo
        case .linksTo: return .linksTo
        case .mentions: return .mentions
        }
    }

    /// True for relations that make the target the successor of the source.
    public var pointsToSuccessor: Bool { self == .supersededBy || self == .replacedBy || self == .revertedBy }

    /// Typed relations are stated in words; `links-to` and `mentions` are found in the text.
    public var isTyped: Bool { self != .linksTo && self != .mentions }

    /// How a person reads the relation: "superseded by", "links to".
    public var phrase: String { String(rawValue.map { $0 == "-" ? " " : $0 }) }
}

/// What a reference in a file points at, before the link pass resolves it.
public enum ReferenceTarget: Sendable, Hashable {
    /// A link destination as written (`0003-x.md#y`, `../adr/0003-x.md`, `https://…/0003-x.md`).
    case url(String)
    /// A decision named by number only (`ADR-0057`).
    case number(Int)
    /// A decision named by id, file name or slug (front matter: `superseded-by: 0005-x`).
    case name(String)
}

/// A reference from a file to (maybe) another decision, with its place in the file.
public struct Reference: Sendable, Hashable {
    public var type: RelationType
    public var target: ReferenceTarget
    public var line: Int
    public var column: Int
    /// The link of the body (index into `ParsedDecision.links`) when the reference is a
    /// Markdown link.
    public var link: Int32?

    public init(type: RelationType, target: ReferenceTarget, line: Int, column: Int, link: Int32? = nil) {
        self.type = type
        self.target = target
        self.line = line
        self.column = column
        self.link = link
    }
}

/// "addresses follow-up 2 of ADR-0007", or `addresses: 0007#2` in front matter.
public struct FollowUpReference: Sendable, Hashable {
    public var target: ReferenceTarget
    public var number: Int
    public var line: Int
    public var column: Int
}

/// A heading of a decision, with its source line.
public struct Section: Sendable, Hashable {
    public var title: String
    public var level: Int
    public var line: Int
    /// Anchor id, unique within the page.
    public var anchor: String
}

/// One item of a decision's follow-up section.
public struct FollowUp: Sendable, Hashable {
    /// 1-based, in order.
    public var number: Int
    public var text: String
    public var line: Int
    public var column: Int
    public var anchor: String { "follow-up-\(number)" }
    /// The links of the body inside the item (indices into `ParsedDecision.links`): a decision
    /// the item links to addresses it.
    public var links: [Int32] = []
    /// Ids of the decisions that address this follow-up (filled by the link pass).
    public var addressedBy: [String] = []
    /// For a task list item (`- [ ] …`, `- [x] …`), whether it is checked; nil for a plain item.
    public var checked: Bool?
    /// Neither addressed by a later decision nor checked off.
    public var isOpen: Bool { addressedBy.isEmpty && checked != true }
}

/// A link or image of a decision's body, as written.
public struct LinkSite: Sendable, Hashable {
    public var url: String
    public var title: String
    public var line: Int
    public var column: Int
    public var isImage: Bool
}

/// What the parse stage reads in one file: everything a careful reader finds, before it is
/// related to the rest of the log, and the body already rendered, with holes where the rest of
/// the log decides what goes.
public struct ParsedDecision: Sendable {
    /// Path relative to the ADR directory, `/`-separated.
    public var source: String
    /// The subfolder the decision lives in (`security`), empty at the top.
    public var category: String
    public var number: Int?
    public var title: String
    public var status: String?
    public var date: CalendarDate?
    public var deciders: [String] = []
    public var tags: [String] = []
    public var sections: [Section] = []
    public var followUps: [FollowUp] = []
    public var references: [Reference] = []
    public var followUpReferences: [FollowUpReference] = []
    /// Every link and image of the body, in document order.
    public var links: [LinkSite] = []
    /// The body (without the title and the metadata lines the page header shows) as HTML.
    public var body = RenderedHTML()
    /// `id` and `name` attributes in the body's raw HTML: anchors a link may point at.
    public var htmlAnchors: [String] = []
    /// The first paragraph of the context (or of the body), on one line: for search and feeds.
    public var summary = ""
    /// Everything a reader sees in the body (text, code, link text, image descriptions), on one
    /// line, without the title: what the search box searches.
    public var searchText = ""
    /// The language the front matter states (`lang:`, `language:`), as written.
    public var language: String?
    public var diagnostics: [Diagnostic] = []

    public var statusCategory: StatusCategory { StatusRules.category(status) }
}

/// A related decision, resolved.
public struct Relation: Sendable, Hashable {
    public var type: RelationType
    /// Id of the other decision.
    public var target: String
    public var line: Int
}

public struct Backlink: Sendable, Hashable {
    /// The relation as the other decision states it.
    public var type: RelationType
    /// Id of the decision that states it.
    public var source: String
}

/// Where a link in a decision's body goes, once resolved.
public enum LinkTarget: Sendable, Hashable {
    /// Another decision's page, with the fragment as written (without `#`).
    case decision(id: String, fragment: String?)
    /// A file of the ADR directory copied into the site (image, attachment), relative path.
    case asset(path: String, suffix: String)
}

/// A decision of the linked log: what its file says and what the link pass found. Immutable.
///
/// A class: pages, JSON and the index read each decision many times, and sharing it costs one
/// reference count where a copy of a struct this size would cost one for each of its parts.
public final class Decision: Sendable {
    /// Stable, URL-safe, unique: derived from the file path, never from a position.
    public let id: String
    /// Page path relative to the site root.
    public let url: String
    public let parsed: ParsedDecision
    /// What the file itself says about other decisions, in order of first appearance.
    public let links: [Relation]
    /// Decisions named in prose by number (`ADR-0012`) without a link.
    public let mentions: [Relation]
    /// What other decisions say about this one.
    public let backlinks: [Backlink]
    public let followUps: [FollowUp]
    /// Where each link of the body (`parsed.links`) goes; nil where it leads nowhere in the site.
    public let linkTargets: [LinkTarget?]
    /// The status category after the link pass: a decision that another one says it supersedes
    /// counts as superseded even when its own status line was not updated.
    public let statusCategory: StatusCategory

    public init(id: String, url: String, parsed: ParsedDecision, links: [Relation] = [], mentions: [Relation] = [],
                backlinks: [Backlink] = [], followUps: [FollowUp]? = nil, linkTargets: [LinkTarget?]? = nil,
                statusCategory: StatusCategory? = nil) {
        self.id = id
        self.url = url
        self.parsed = parsed
        self.links = links
        self.mentions = mentions
        self.backlinks = backlinks
        self.followUps = followUps ?? parsed.followUps
        self.linkTargets = linkTargets ?? Array(repeating: nil, count: parsed.links.count)
        self.statusCategory = statusCategory ?? parsed.statusCategory
    }

    public var source: String { parsed.source }
    public var number: Int? { parsed.number }
    public var title: String { parsed.title }
    public var status: String? { parsed.status }
    public var date: CalendarDate? { parsed.date }
    public var category: String { parsed.category }

    /// Ids of the decisions that replace this one (superseded by, replaced by, …), from either side.
    public var successors: [String] {
        var out: [String] = []
        for l in links where l.type.pointsToSuccessor && !out.contains(l.target) { out.append(l.target) }
        for b in backlinks where b.type.reverse.pointsToSuccessor && !out.contains(b.source) { out.append(b.source) }
        return out
    }

    public var openFollowUps: Int { followUps.filter(\.isOpen).count }
}

/// The whole log after the link pass.
public struct DecisionLog: Sendable {
    public let decisions: [Decision]
    /// Sorted (see `Diagnostic`).
    public let diagnostics: [Diagnostic]
    /// Files of the directory that pages may reference (images, attachments).
    public let assets: [String]
    public let excluded: [Exclusion]
    /// The ADR directory as the user named it.
    public let root: String
    /// The first heading of the log's README.md or index.md, if any.
    public let readmeTitle: String?
    /// Attachments the decisions link to that are left out of the site (see AssetPolicy).
    public let blockedAssets: Set<String>
    /// Numbers used by exactly one decision, for linking `ADR-12` mentions.
    public let uniqueNumbers: [Int: String]
    /// Position of each decision, by id.
    public let index: [String: Int]

    public init(decisions: [Decision], diagnostics: [Diagnostic], assets: [String] = [], excluded: [Exclusion] = [],
                root: String = "", readmeTitle: String? = nil, blockedAssets: Set<String> = [],
                uniqueNumbers: [Int: String] = [:]) {
        self.decisions = decisions
        self.diagnostics = diagnostics.sorted()
        self.assets = assets
        self.excluded = excluded
        self.root = root
        self.readmeTitle = readmeTitle
        self.blockedAssets = blockedAssets
        self.uniqueNumbers = uniqueNumbers
        var index: [String: Int] = [:]
        index.reserveCapacity(decisions.count)
        for (i, d) in decisions.enumerated() { index[d.id] = i }
        self.index = index
    }

    /// The same log with more diagnostics.
    public func adding(_ more: [Diagnostic]) -> DecisionLog {
        guard !more.isEmpty else { return self }
        return DecisionLog(decisions: decisions, diagnostics: diagnostics + more, assets: assets, excluded: excluded,
                           root: root, readmeTitle: readmeTitle, blockedAssets: blockedAssets,
                           uniqueNumbers: uniqueNumbers)
    }

    public subscript(id id: String) -> Decision? {
        guard let i = index[id] else { return nil }
        return decisions[i]
    }

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
}
