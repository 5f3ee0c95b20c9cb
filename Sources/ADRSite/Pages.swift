import ADRCore
import Foundation

/// Builds the view models of every page and renders them through the theme. The values each
/// template receives are documented in templates/README.md.
struct Context: Sendable {
    let log: DecisionLog
    let theme: Theme
    let options: SiteOptions
    let siteTitle: String
    /// Position of each decision in `log.decisions`, by id.
    let index: [String: Int]
    /// For each decision, the decisions whose follow-ups it addresses, in log order.
    let addresses: [String: [String]]

    /// Attachments left out of the site (see AssetPolicy): links to them are not links.
    let blockedAssets: Set<String>
    /// What every page shows about each decision (see `ref`), made once per build.
    let refCache: [TemplateValue]
    /// What the whole log has (numbers, dates, follow-ups, categories) and its language.
    let facts: LogFacts

    init(log: DecisionLog, theme: Theme, options: SiteOptions, siteTitle: String, blockedAssets: Set<String> = [],
         precompute: Bool = true) {
        self.blockedAssets = blockedAssets
        self.log = log
        self.theme = theme
        self.options = options
        self.siteTitle = siteTitle
        self.facts = LogFacts(log, language: options.language)
        var index: [String: Int] = [:]
        for (i, d) in log.decisions.enumerated() { index[d.id] = i }
        self.index = index
        var addresses: [String: [String]] = [:]
        for d in log.decisions {
            for f in d.followUps {
                for id in f.addressedBy where !(addresses[id]?.contains(d.id) ?? false) {
                    addresses[id, default: []].append(d.id)
                }
            }
        }
        self.addresses = addresses
        // Made on all cores: it reads every decision.
        let count = log.decisions.count
        let refs = ResultBox<TemplateValue>(count: count)
        let decisions = log.decisions
        DispatchQueue.concurrentPerform(iterations: precompute ? count : 0) { i in
            refs.set(i, .object(Context.makeRef(decisions[i])))
        }
        self.refCache = precompute ? refs.values : []
    }

    // MARK: - Shared values

    /// `ADR-0007`, or nil for a decision without a number.
    func numberLabel(_ d: Decision) -> String? { Context.numberLabel(d) }

    static func numberLabel(_ d: Decision) -> String? {
        guard let n = d.number else { return nil }
        let digits = String(n)
        return "ADR-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// What every template can use about a decision; `url` is relative to the site root, so
    /// templates write `{{root}}{{url}}`.
    func ref(_ d: Decision) -> TemplateObject {
        if let i = index[d.id], i < refCache.count, case .object(let values) = refCache[i] { return values }
        return Context.makeRef(d)
    }

    static func makeRef(_ d: Decision) -> TemplateObject {
        // Every key is always present: Mustache looks a missing key up in the enclosing
        // contexts, so a decision without a date would otherwise show the page's date.
        let label = numberLabel(d)
        return [
            .id: .string(d.id),
            .url: .string(SitePath.encode(d.url)),
            .title: .string(d.title),
            .status: .string(d.status ?? "no status"),
            .statusCategory: .string(d.statusCategory.rawValue),
            .hasStatus: .bool(d.status != nil),
            .label: .string(label ?? d.date?.description ?? d.title),
            .numberLabel: .string(label ?? ""),
            .hasNumber: .bool(d.number != nil),
            .date: .string(d.date?.description ?? ""),
            .hasDate: .bool(d.date != nil),
            .category: .string(d.category),
            .hasCategory: .bool(!d.category.isEmpty),
            .badgeLabel: .string(StatusWords.badgeLabel(status: d.status, category: d.statusCategory)),
            .badgeTitle: .string(StatusWords.badgeTitle(status: d.status, category: d.statusCategory)),
        ]
    }

    func ref(id: String) -> TemplateValue? {
        guard let i = index[id] else { return nil }
        return i < refCache.count ? refCache[i] : .object(Context.makeRef(log.decisions[i]))
    }

    func refs(_ ids: [String]) -> TemplateValue { .list(ids.compactMap { ref(id: $0) }) }

    func page(_ path: String, title: String, _ extra: TemplateObject, root: String? = nil) -> TemplateValue {
        var m = extra
        m.reserveCapacity(m.count + 6)
        m[.root] = .string(root ?? SitePath.root(of: path))
        m[.pageTitle] = .string(title)
        m[.siteTitle] = .string(siteTitle)
        m[.generator] = .string("adrsite \(adrsiteVersion)")
        m[.decisionCount] = .int(log.decisions.count)
        m[.logHasFollowUps] = .bool(facts.hasFollowUps)
        if m[.lang] == nil { m[.lang] = .string(facts.language) }
        if let head = options.extraHead { m[.extraHead] = .string(head) }
        return .object(m)
    }

    // MARK: - Index

    func indexPage() throws -> [UInt8] {
        var counts: [StatusCategory: Int] = [:]
        var withoutStatus = 0
        for d in log.decisions {
            counts[d.statusCategory, default: 0] += 1
            if d.status == nil { withoutStatus += 1 }
        }
        let chips: [TemplateValue] = StatusCategory.allCases.compactMap { c in
            guard let n = counts[c] else { return nil }
            return [.statusCategory: .string(c.rawValue), .count: .int(n),
                    .label: .string(StatusWords.chipLabel(c, withoutStatus: withoutStatus, count: n))]
        }
        // Newest first by default: by number descending, then the decisions without a number
        // by date descending (undated last), as the page's script sorts them.
        let numbered = log.decisions.filter { $0.number != nil }.reversed()
        let unnumbered = log.decisions.enumerated().filter { $0.element.number == nil }.sorted { a, b in
            switch (a.element.date, b.element.date) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.offset > b.offset
            }
        }.map(\.element)
        let newestFirst = Array(numbered) + unnumbered
        let rows: [TemplateValue] = newestFirst.map { d in
            var row = ref(d)
            row.reserveCapacity(row.count + 7)
            row[.openFollowUps] = .int(d.openFollowUps)
            row[.followUpCount] = .int(d.followUps.count)
            row[.hasOpenFollowUps] = .bool(d.openFollowUps > 0)
            row[.sortNumber] = .string(d.number.map(String.init) ?? "")
            row[.sortDate] = .string(d.date?.description ?? "")
            let category = d.statusCategory
            row[.dimmed] = .bool(category == .superseded || category == .deprecated || category == .rejected)
            row[.successors] = refs(d.successors)
            row[.hasSuccessors] = .bool(!d.successors.isEmpty)
            row[.followUpsAnchor] = .string(Outline.followUpsAnchor(sections: d.parsed.sections,
                                                                     firstFollowUpLine: d.followUps.first?.line) ?? "")
            return .object(row)
        }
        let categories = Set(log.decisions.map(\.category)).count > 1
        let categoryChips: [TemplateValue] = categories ? Dictionary(grouping: log.decisions, by: \.category)
            .sorted { $0.key < $1.key }
            .map { [.category: .string($0.key.isEmpty ? "(top level)" : $0.key), .value: .string($0.key.isEmpty ? "-" : $0.key),
                    .count: .int($0.value.count)] } : []
        let model = page("index.html", title: siteTitle, [
            .decisions: .list(rows),
            .chips: .list(chips),
            .hasCategories: .bool(categories),
            .categoryChips: .list(categoryChips),
            .hasNumbers: .bool(facts.hasNumbers),
            .hasDates: .bool(facts.hasDates),
            .defaultSort: .string(facts.hasNumbers || !facts.hasDates ? "number" : "date"),
            .openFollowUps: .int(log.decisions.reduce(0) { $0 + $1.openFollowUps }),
            .isIndex: true,
        ])
        return try theme.render("index", model)
    }

    // MARK: - Decision pages

    func decisionPage(_ i: Int) throws -> OutputFile {
        let d = log.decisions[i]
        let path = d.url
        let root = SitePath.root(of: path)
        var model = ref(d)
        model.reserveCapacity(model.count + 20)
        model[.deciders] = .strings(d.parsed.deciders)
        model[.hasDeciders] = .bool(!d.parsed.deciders.isEmpty)
        model[.tags] = .strings(d.parsed.tags)
        model[.hasTags] = .bool(!d.parsed.tags.isEmpty)
        model[.source] = .string(d.source)
        model[.badgeURL] = .string(SitePath.encode("badges/\(d.id).svg"))
        model[.editURL] = .bool(false)
        if let repo = options.repositoryURL {
            model[.editURL] = .string(SitePath.editURL(repository: repo, source: d.source))
        }
        model[.banner] = banner(d) ?? .bool(false)
        let relations = relationGroups(d)
        model[.relations] = .list(relations)
        model[.hasRelations] = .bool(!relations.isEmpty)
        let followUps = d.followUps.map { followUpModel($0) }
        model[.followUps] = .list(followUps)
        model[.hasFollowUps] = .bool(!followUps.isEmpty)
        model[.openFollowUps] = .int(d.openFollowUps)
        model[.addressedFollowUps] = .int(d.followUps.count - d.openFollowUps)
        model[.followUpsAnchor] = .string(Outline.followUpsAnchor(sections: d.parsed.sections,
                                                                   firstFollowUpLine: d.followUps.first?.line) ?? "")
        let outline: [TemplateValue] = Outline.entries(d.parsed.sections).map {
            [.title: .string($0.title), .level: .int($0.level), .anchor: .string($0.anchor), .isSub: .bool($0.level > 1)]
        }
        model[.outline] = .list(outline)
        model[.hasOutline] = .bool(!outline.isEmpty)
        model[.previous] = i > 0 ? .object(ref(log.decisions[i - 1])) : .bool(false)
        model[.next] = i + 1 < log.decisions.count ? .object(ref(log.decisions[i + 1])) : .bool(false)
        model[.body] = .utf8(try body(d, root: root))
        var extra: TemplateObject = [.decision: .object(model), .hasDiagrams: .bool(d.parsed.body.diagrams > 0)]
        if let lang = LogFacts.language(of: d) { extra[.lang] = .string(lang) }
        let full = page(path, title: (numberLabel(d).map { $0 + ": " } ?? "") + d.title, extra)
        return OutputFile(path: path, bytes: try theme.render("decision", full))
    }

    /// "superseded by …", "deprecated", "rejected": shown above the body.
    func banner(_ d: Decision) -> TemplateValue? {
        let category = d.statusCategory
        guard category == .superseded || category == .deprecated || category == .rejected else { return nil }
        return [
            .kind: .string(category.rawValue),
            .isSuperseded: .bool(category == .superseded),
            .isDeprecated: .bool(category == .deprecated),
            .isRejected: .bool(category == .rejected),
            .successors: refs(d.successors),
            .hasSuccessors: .bool(!d.successors.isEmpty),
        ]
    }

    func followUpModel(_ f: FollowUp, decisionURL: String? = nil) -> TemplateValue {
        var m: TemplateObject = [
            .number: .int(f.number), .anchor: .string(f.anchor), .text: .string(f.text),
            .addressed: .bool(!f.addressedBy.isEmpty), .addressedBy: refs(f.addressedBy),
            // A task list item checked off (`- [x] …`) and not addressed by a decision: done.
            .isTask: .bool(f.checked != nil), .checked: .bool(f.checked == true),
            .done: .bool(f.addressedBy.isEmpty && f.checked == true), .open: .bool(f.isOpen),
        ]
        if let decisionURL { m[.decisionURL] = .string(decisionURL) }
        return .object(m)
    }

    /// The decision's body with its holes filled: links to other ADRs point at their pages
    /// (anchors kept), `ADR-12` mentions are linked, follow-ups show their state.
    func body(_ d: Decision, root: String) throws -> [UInt8] {
        let hrefs = d.parsed.links.indices.map { href(d, link: $0, root: root) }
        let unsafe = options.unsafeHTML
        let bytes = try d.parsed.body.filled { hole, out in
            let k = Int(hole.index)
            switch hole.kind {
            case .linkOpen:
                guard let url = hrefs[k] else { return HTMLEscape.put("<span class=\"unresolved-link\">", &out) }
                HTMLEscape.put("<a href=\"", &out)
                if unsafe || !HTMLRenderer.isDangerous(url) { HTMLEscape.escapeHref(url, into: &out) }
                let title = d.parsed.links[k].title
                if !title.isEmpty {
                    HTMLEscape.put("\" title=\"", &out)
                    HTMLEscape.escape(title, into: &out)
                }
                HTMLEscape.put("\">", &out)
            case .linkClose:
                HTMLEscape.put(hrefs[k] == nil ? "</span>" : "</a>", &out)
            case .imageOpen:
                guard let url = hrefs[k] else { return HTMLEscape.put("<span class=\"missing-image\">", &out) }
                HTMLEscape.put("<img src=\"", &out)
                if unsafe || !HTMLRenderer.isDangerous(url) { HTMLEscape.escapeHref(url, into: &out) }
                HTMLEscape.put("\" alt=\"", &out)
            case .imageClose:
                guard hrefs[k] != nil else { return HTMLEscape.put("</span>", &out) }
                let title = d.parsed.links[k].title
                if !title.isEmpty {
                    HTMLEscape.put("\" title=\"", &out)
                    HTMLEscape.escape(title, into: &out)
                }
                HTMLEscape.put("\" />", &out)
            case .mentionOpen:
                if let url = mentionURL(d, k, hrefs: hrefs, root: root) {
                    HTMLEscape.put("<a class=\"mention\" href=\"", &out)
                    HTMLEscape.escapeHref(url, into: &out)
                    HTMLEscape.put("\">", &out)
                }
            case .mentionClose:
                if mentionURL(d, k, hrefs: hrefs, root: root) != nil { HTMLEscape.put("</a>", &out) }
            case .itemEnd:
                let model: TemplateValue = [.root: .string(root), .followUp: followUpModel(d.followUps[k])]
                out += try theme.render("followup-state", model)
            }
        }
        return bytes
    }

    /// Where link `k` of a decision's body leads on the site, or nil when nowhere (it is then
    /// written as its text).
    func href(_ d: Decision, link k: Int, root: String) -> String? {
        let url = d.parsed.links[k].url
        switch d.linkTargets[k] {
        case .decision(let id, let fragment)?:
            guard let i = index[id] else { return url }
            let target = log.decisions[i].url
            if target == d.url, let fragment { return "#" + fragment }
            return root + SitePath.encode(target) + (fragment.map { "#" + $0 } ?? "")
        case .asset(let path, let suffix)?:
            if blockedAssets.contains(path) { return nil }
            return root + SitePath.encode(path) + suffix
        case nil:
            return SitePath.isRelative(url) ? SitePath.unresolvedLink(url, source: d.source, repository: options.repositoryURL) : url
        }
    }

    /// The page an `ADR-12` mention leads to: the one decision of that number, unless it is this
    /// one, and not inside a link that leads somewhere.
    func mentionURL(_ d: Decision, _ k: Int, hrefs: [String?], root: String) -> String? {
        let mention = d.parsed.body.mentions[k]
        if mention.insideLink >= 0 && hrefs[Int(mention.insideLink)] != nil { return nil }
        guard let id = log.uniqueNumbers[mention.number], id != d.id, let i = index[id] else { return nil }
        return root + SitePath.encode(log.decisions[i].url)
    }

    // MARK: - Follow-ups

    func followUpsPage() throws -> [UInt8] {
        var open: [TemplateValue] = []
        var addressed: [TemplateValue] = []
        var openCount = 0, addressedCount = 0
        // One group per decision with both kinds of items; decisions with open items first.
        var groupsOpen: [TemplateValue] = [], groupsDone: [TemplateValue] = []
        for d in log.decisions where !d.followUps.isEmpty {
            let url = SitePath.encode(d.url)
            let items = d.followUps.map { followUpModel($0, decisionURL: url) }
            let o = d.followUps.indices.filter { d.followUps[$0].isOpen }.map { items[$0] }
            let a = d.followUps.indices.filter { !d.followUps[$0].isOpen }.map { items[$0] }
            openCount += o.count
            addressedCount += a.count
            if !o.isEmpty { open.append([.decision: .object(ref(d)), .followUps: .list(o)]) }
            if !a.isEmpty { addressed.append([.decision: .object(ref(d)), .followUps: .list(a)]) }
            let group: TemplateValue = [.decision: .object(ref(d)), .items: .list(items),
                                        .openItems: .list(o), .addressedItems: .list(a),
                                        .openCount: .int(o.count), .addressedCount: .int(a.count),
                                        .hasOpen: .bool(!o.isEmpty), .hasAddressed: .bool(!a.isEmpty)]
            if o.isEmpty { groupsDone.append(group) } else { groupsOpen.append(group) }
        }
        let model = page("follow-ups.html", title: "Follow-ups", [
            .open: .list(open), .addressed: .list(addressed), .openCount: .int(openCount),
            .addressedCount: .int(addressedCount), .hasOpen: .bool(!open.isEmpty),
            .hasAddressed: .bool(!addressed.isEmpty), .isFollowUps: true,
            .groups: .list(groupsOpen + groupsDone), .hasGroups: .bool(!groupsOpen.isEmpty || !groupsDone.isEmpty),
        ])
        return try theme.render("follow-ups", model)
    }

    func notFoundPage() throws -> [UInt8] {
        // GitHub Pages serves 404.html at any path: with a base address its links are absolute.
        let root = options.baseURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        return try theme.render("not-found", page("404.html", title: "Not found", [:], root: root))
    }

    // MARK: - Feed, sitemap, search, badges

    func absolute(_ url: String) -> String {
        guard let base = options.baseURL else { return url }
        return (base.hasSuffix("/") ? base : base + "/") + url
    }

    func feed() throws -> [UInt8] {
        let newest = log.decisions.enumerated().sorted { a, b in
            switch (a.element.date, b.element.date) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.offset > b.offset
            }
        }.prefix(50).map(\.offset)
        let updated = log.decisions.compactMap(\.date).max()
        let entries: [TemplateValue] = newest.map { i in
            let d = log.decisions[i]
            var m = ref(d)
            m[.link] = .string(absolute(SitePath.encode(d.url)))
            m[.entryID] = .string(options.baseURL != nil ? absolute(SitePath.encode(d.url)) : "urn:adrsite:\(d.id)")
            m[.updated] = .string((d.date ?? updated).map { "\($0)T00:00:00Z" } ?? "1970-01-01T00:00:00Z")
            m[.summary] = .string(d.parsed.summary)
            return .object(m)
        }
        let model: TemplateValue = [
            .siteTitle: .string(siteTitle), .generator: .string("adrsite \(adrsiteVersion)"), .entries: .list(entries),
            .updated: .string(updated.map { "\($0)T00:00:00Z" } ?? "1970-01-01T00:00:00Z"),
            .feedID: .string(options.baseURL == nil ? "urn:adrsite:feed" : absolute("feed.xml")),
            .siteLink: .string(absolute("index.html")), .selfLink: .string(absolute("feed.xml")),
        ]
        return XMLText.clean(try theme.render("feed", model))
    }

    func sitemap() throws -> [UInt8] {
        var urls = [absolute("index.html"), absolute("follow-ups.html")]
        urls += log.decisions.map { absolute(SitePath.encode($0.url)) }
        return XMLText.clean(try theme.render("sitemap", [.urls: .list(urls.map { [.loc: .string($0)] })]))
    }

    /// One decision's entry of the search index (see `searchFiles`); with `text`, the body's
    /// text as its last field.
    func writeSearchEntry(_ i: Int, into w: inout JSONWriter, text: Bool) {
        let d = log.decisions[i]
        w.beginObject()
        w.field("id", d.id)
        w.field("url", SitePath.encode(d.url))
        w.field("label", numberLabel(d) ?? d.date?.description ?? "")
        w.field("title", d.title)
        w.field("status", d.status)
        w.field("statusCategory", d.statusCategory.rawValue)
        w.field("date", d.date?.description)
        w.field("tags", d.parsed.tags)
        w.field("summary", d.parsed.summary)
        w.field("number", d.number)
        w.field("category", d.category)
        w.field("badge", StatusWords.badgeLabel(status: d.status, category: d.statusCategory))
        if text { w.field("text", searchableText(of: d)) }
        w.endObject()
    }

    func badge(_ d: Decision) throws -> [UInt8] {
        let label = numberLabel(d) ?? "ADR"
        let message = StatusWords.badgeLabel(status: d.status, category: d.statusCategory)
        let labelWidth = Badge.textWidth(label) + 12
        let messageWidth = Badge.textWidth(message) + 12
        let colors = Badge.colors[d.statusCategory] ?? ("#4b5563", "#ffffff")
        return XMLText.clean(try theme.render("badge-svg", [
            .label: .string(label), .message: .string(message), .title: .string("\(label): \(d.title) — \(message)"),
            .labelWidth: .int(labelWidth), .messageWidth: .int(messageWidth), .width: .int(labelWidth + messageWidth),
            .labelX: .int(labelWidth * 5), .messageX: .int((labelWidth + messageWidth / 2) * 10),
            .labelTextLength: .int((labelWidth - 12) * 10), .messageTextLength: .int((messageWidth - 12) * 10),
            .color: .string(colors.0), .textColor: .string(colors.1), .statusCategory: .string(d.statusCategory.rawValue),
        ]))
    }
}

/// Shield-style badge geometry: text widths of 11px Verdana, approximated per character, and
/// one colour per status category, each with a text colour of at least 4.5:1 contrast.
enum Badge {
    static let colors: [StatusCategory: (String, String)] = [
        .accepted: ("#1a7f37", "#ffffff"),     // green, 5.1:1
        .proposed: ("#0b5cad", "#ffffff"),     // blue, 6.7:1
        .rejected: ("#b42318", "#ffffff"),     // red, 6.6:1
        .deprecated: ("#57606a", "#ffffff"),   // grey, 6.4:1
        .superseded: ("#9a6700", "#ffffff"),   // amber, 4.9:1
        .other: ("#8250df", "#ffffff"),        // purple, 5.0:1
    ]

    /// Per character: its ASCII value says its width (compared as bytes); any other character,
    /// an accented letter written with a combining mark too, is 8.0.
    static func textWidth(_ text: String) -> Int {
        var width = 0.0
        for c in text {
            guard let a = c.asciiValue else {
                width += 8.0
                continue
            }
            switch a {
            case UInt8(ascii: "i"), UInt8(ascii: "l"), UInt8(ascii: "j"), UInt8(ascii: "I"), UInt8(ascii: "."),
                 UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "'"), UInt8(ascii: "|"),
                 UInt8(ascii: "!"): width += 3.5
            case UInt8(ascii: "f"), UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: " "), UInt8(ascii: "("),
                 UInt8(ascii: ")"), UInt8(ascii: "-"), UInt8(ascii: "["), UInt8(ascii: "]"): width += 4.6
            case UInt8(ascii: "m"), UInt8(ascii: "w"), UInt8(ascii: "M"), UInt8(ascii: "W"): width += 10.2
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): width += 7.5
            default: width += 6.6
            }
        }
        return Int(width.rounded(.up))
    }
}
