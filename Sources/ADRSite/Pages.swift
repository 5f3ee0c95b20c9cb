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
    let numberWidth: Int

    init(log: DecisionLog, theme: Theme, options: SiteOptions, siteTitle: String) {
        self.log = log
        self.theme = theme
        self.options = options
        self.siteTitle = siteTitle
        var index: [String: Int] = [:]
        for (i, d) in log.decisions.enumerated() { index[d.id] = i }
        self.index = index
        let widest = log.decisions.compactMap(\.number).max() ?? 0
        self.numberWidth = max(4, String(widest).count)
    }

    // MARK: - Shared values

    /// `ADR-0007`, or nil for a decision without a number.
    func numberLabel(_ d: Decision) -> String? {
        guard let n = d.number else { return nil }
        let digits = String(n)
        return "ADR-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// What every template can use about a decision; `url` is relative to the site root, so
    /// templates write `{{root}}{{url}}`.
    func ref(_ d: Decision) -> [String: Any] {
        // Every key is always present: Mustache looks a missing key up in the enclosing
        // contexts, so a decision without a date would otherwise show the page's date.
        [
            "id": d.id,
            "url": SitePath.encode(d.url),
            "title": d.title,
            "status": d.status ?? "no status",
            "statusCategory": d.statusCategory.rawValue,
            "hasStatus": d.status != nil,
            "label": numberLabel(d) ?? d.date?.description ?? d.title,
            "numberLabel": numberLabel(d) ?? "",
            "hasNumber": d.number != nil,
            "date": d.date?.description ?? "",
            "hasDate": d.date != nil,
            "category": d.category,
            "hasCategory": !d.category.isEmpty,
        ]
    }

    func ref(id: String) -> [String: Any]? {
        guard let i = index[id] else { return nil }
        return ref(log.decisions[i])
    }

    func page(_ path: String, title: String, _ extra: [String: Any]) -> [String: Any] {
        var m = extra
        m["root"] = SitePath.root(of: path)
        m["pageTitle"] = title
        m["siteTitle"] = siteTitle
        m["generator"] = "adrsite \(adrsiteVersion)"
        m["decisionCount"] = log.decisions.count
        if let head = options.extraHead { m["extraHead"] = head }
        return m
    }

    // MARK: - Index

    func indexPage() -> String {
        var counts: [StatusCategory: Int] = [:]
        for d in log.decisions { counts[d.statusCategory, default: 0] += 1 }
        let chips: [[String: Any]] = StatusCategory.allCases.compactMap { c in
            guard let n = counts[c] else { return nil }
            return ["statusCategory": c.rawValue, "count": n]
        }
        // Newest first by default: by number (then date) descending.
        let rows: [[String: Any]] = log.decisions.reversed().map { d in
            var row = ref(d)
            row["openFollowUps"] = d.openFollowUps
            row["followUpCount"] = d.followUps.count
            row["hasOpenFollowUps"] = d.openFollowUps > 0
            row["sortNumber"] = d.number.map(String.init) ?? ""
            row["sortDate"] = d.date?.description ?? ""
            let category = d.statusCategory
            row["dimmed"] = category == .superseded || category == .deprecated || category == .rejected
            row["successors"] = d.successors.compactMap { ref(id: $0) }
            return row
        }
        let categories = Set(log.decisions.map(\.category)).count > 1
        let model = page("index.html", title: siteTitle, [
            "decisions": rows,
            "chips": chips,
            "hasCategories": categories,
            "openFollowUps": log.decisions.reduce(0) { $0 + $1.openFollowUps },
            "isIndex": true,
        ])
        return theme.render("index", model)
    }

    // MARK: - Decision pages

    func decisionPage(_ i: Int) -> OutputFile {
        let d = log.decisions[i]
        let path = d.url
        let root = SitePath.root(of: path)
        var model = ref(d)
        model["deciders"] = d.parsed.deciders
        model["hasDeciders"] = !d.parsed.deciders.isEmpty
        model["tags"] = d.parsed.tags
        model["hasTags"] = !d.parsed.tags.isEmpty
        model["source"] = d.source
        model["badgeURL"] = SitePath.encode("badges/\(d.id).svg")
        if let repo = options.repositoryURL {
            model["editURL"] = SitePath.editURL(repository: repo, source: d.source)
        }
        if let banner = banner(d) { model["banner"] = banner }
        let relations = relationGroups(d)
        model["relations"] = relations
        model["hasRelations"] = !relations.isEmpty
        let followUps = d.followUps.map { followUpModel($0) }
        model["followUps"] = followUps
        model["hasFollowUps"] = !followUps.isEmpty
        model["openFollowUps"] = d.openFollowUps
        if i > 0 { model["previous"] = ref(log.decisions[i - 1]) }
        if i + 1 < log.decisions.count { model["next"] = ref(log.decisions[i + 1]) }
        model["body"] = body(d, root: root)
        let full = page(path, title: (numberLabel(d).map { $0 + ": " } ?? "") + d.title, ["decision": model])
        return OutputFile(path: path, text: theme.render("decision", full))
    }

    /// "superseded by …", "deprecated", "rejected": shown above the body.
    func banner(_ d: Decision) -> [String: Any]? {
        let successors = d.successors.compactMap { ref(id: $0) }
        switch d.statusCategory {
        case .superseded:
            return ["kind": "superseded", "isSuperseded": true, "successors": successors, "hasSuccessors": !successors.isEmpty]
        case .deprecated:
            return ["kind": "deprecated", "isDeprecated": true, "successors": successors, "hasSuccessors": !successors.isEmpty]
        case .rejected:
            return ["kind": "rejected", "isRejected": true, "successors": successors, "hasSuccessors": !successors.isEmpty]
        default:
            return nil
        }
    }

    /// Relations as seen from this page: what it says, and the reverse of what others say.
    func relationGroups(_ d: Decision) -> [[String: Any]] {
        var groups: [String: [String]] = [:]
        func add(_ label: String, _ id: String) {
            if !(groups[label]?.contains(id) ?? false) { groups[label, default: []].append(id) }
        }
        for l in d.links { add(Self.label(for: l.type), l.target) }
        for m in d.mentions { add("Links to", m.target) }
        for b in d.backlinks {
            let seen: RelationType = b.type.reverse
            add(b.type == .linksTo || b.type == .mentions ? "Referenced by" : Self.label(for: seen), b.source)
        }
        return Self.labelOrder.compactMap { label in
            guard let ids = groups[label] else { return nil }
            let items = ids.compactMap { ref(id: $0) }
            return ["label": label, "decisions": items]
        }
    }

    static let labelOrder = [
        "Supersedes", "Superseded by", "Replaces", "Replaced by", "Reverts", "Reverted by", "Amends", "Amended by",
        "Updates", "Updated by", "Completes", "Completed by", "Clarifies", "Clarified by", "Extends", "Extended by",
        "Relates to", "Links to", "Referenced by",
    ]

    static func label(for type: RelationType) -> String {
        switch type {
        case .linksTo, .mentions: return "Links to"
        default:
            let phrase = type.phrase
            return phrase.prefix(1).uppercased() + phrase.dropFirst()
        }
    }

    func followUpModel(_ f: FollowUp) -> [String: Any] {
        let by = f.addressedBy.compactMap { ref(id: $0) }
        return ["number": f.number, "anchor": f.anchor, "text": f.text, "addressed": !by.isEmpty, "addressedBy": by]
    }

    /// The decision's Markdown as HTML: links to other ADRs point at their pages (anchors kept),
    /// `ADR-12` mentions are linked, headings get anchors, follow-ups their state.
    func body(_ d: Decision, root: String) -> String {
        var renderer = HTMLRenderer(unsafe: options.unsafeHTML)
        let doc = d.parsed.document.removing(d.parsed.titleNode.map { [$0] } ?? [])
        let targets = d.linkTargets
        let pageDir = SitePath.directory(of: d.url)
        let numbers = log.uniqueNumbers
        let decisions = log.decisions
        let index = self.index
        renderer.rewriteURL = { url, node in
            switch targets[node] {
            case .decision(let id, let fragment)?:
                guard let i = index[id] else { return url }
                let target = decisions[i].url
                if target == d.url, let fragment { return "#" + fragment }
                return root + SitePath.encode(target) + (fragment.map { "#" + $0 } ?? "")
            case .asset(let path, let suffix)?:
                return root + SitePath.encode(path) + suffix
            case nil:
                return SitePath.isRelative(url) ? SitePath.unresolvedLink(url, from: pageDir, source: d.source,
                                                                          repository: options.repositoryURL) : url
            }
        }
        for s in d.parsed.sections {
            renderer.headingIDs[s.node] = s.anchor
            renderer.headingSuffixes[s.node] = " <a class=\"anchor\" href=\"#\(s.anchor)\" aria-label=\"Link to this section\">#</a>"
        }
        for f in d.followUps {
            renderer.itemIDs[f.node] = f.anchor
            var model = followUpModel(f)
            model["root"] = root
            renderer.itemSuffixes[f.node] = theme.render("followup-state", model)
        }
        renderer.linkMentions = { text in
            Mentions.find(in: text).compactMap { mention in
                guard let id = numbers[mention.number], id != d.id, let i = index[id] else { return nil }
                return (mention.range, root + SitePath.encode(decisions[i].url))
            }
        }
        return renderer.render(doc)
    }

    // MARK: - Follow-ups

    func followUpsPage() -> String {
        var open: [[String: Any]] = []
        var addressed: [[String: Any]] = []
        var openCount = 0, addressedCount = 0
        for d in log.decisions where !d.followUps.isEmpty {
            func model(_ f: FollowUp) -> [String: Any] {
                var m = followUpModel(f)
                m["decisionURL"] = SitePath.encode(d.url)
                return m
            }
            let o = d.followUps.filter { $0.addressedBy.isEmpty }.map(model)
            let a = d.followUps.filter { !$0.addressedBy.isEmpty }.map(model)
            openCount += o.count
            addressedCount += a.count
            if !o.isEmpty { open.append(["decision": ref(d), "followUps": o]) }
            if !a.isEmpty { addressed.append(["decision": ref(d), "followUps": a]) }
        }
        let model = page("follow-ups.html", title: "Follow-ups", [
            "open": open, "addressed": addressed, "openCount": openCount, "addressedCount": addressedCount,
            "hasOpen": !open.isEmpty, "hasAddressed": !addressed.isEmpty, "isFollowUps": true,
        ])
        return theme.render("follow-ups", model)
    }

    func notFoundPage() -> String {
        var model = page("404.html", title: "Not found", [:])
        // GitHub Pages serves 404.html at any path: with a base address its links are absolute.
        if let base = options.baseURL { model["root"] = base.hasSuffix("/") ? base : base + "/" }
        return theme.render("not-found", model)
    }

    // MARK: - Feed, sitemap, search, badges

    func absolute(_ url: String) -> String {
        guard let base = options.baseURL else { return url }
        return (base.hasSuffix("/") ? base : base + "/") + url
    }

    func feed() -> String {
        let newest = log.decisions.enumerated().sorted { a, b in
            switch (a.element.date, b.element.date) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.offset > b.offset
            }
        }.prefix(50).map(\.element)
        let updated = log.decisions.compactMap(\.date).max()
        let entries: [[String: Any]] = newest.map { d in
            var m = ref(d)
            m["link"] = absolute(SitePath.encode(d.url))
            m["entryID"] = options.baseURL != nil ? absolute(SitePath.encode(d.url)) : "urn:adrsite:\(d.id)"
            m["updated"] = (d.date ?? updated).map { "\($0)T00:00:00Z" } ?? "1970-01-01T00:00:00Z"
            m["summary"] = d.parsed.document.summary()
            return m
        }
        let model: [String: Any] = [
            "siteTitle": siteTitle, "generator": "adrsite \(adrsiteVersion)", "entries": entries,
            "updated": updated.map { "\($0)T00:00:00Z" } ?? "1970-01-01T00:00:00Z",
            "feedID": options.baseURL == nil ? "urn:adrsite:feed" : absolute("feed.xml"),
            "siteLink": absolute("index.html"), "selfLink": absolute("feed.xml"),
        ]
        return theme.render("feed", model)
    }

    func sitemap() -> String {
        var urls = [absolute("index.html"), absolute("follow-ups.html")]
        urls += log.decisions.map { absolute(SitePath.encode($0.url)) }
        return theme.render("sitemap", ["urls": urls.map { ["loc": $0] }])
    }

    func searchIndex() -> [UInt8] {
        var w = JSONWriter(pretty: false)
        w.beginArray()
        for d in log.decisions {
            w.beginObject()
            w.field("id", d.id)
            w.field("url", SitePath.encode(d.url))
            w.field("label", numberLabel(d) ?? d.date?.description ?? "")
            w.field("title", d.title)
            w.field("status", d.status)
            w.field("statusCategory", d.statusCategory.rawValue)
            w.field("date", d.date?.description)
            w.field("tags", d.parsed.tags)
            w.field("summary", d.parsed.document.summary())
            w.endObject()
        }
        w.endArray()
        return w.bytes
    }

    func badge(_ d: Decision) -> String {
        let label = numberLabel(d) ?? "ADR"
        let message = d.status ?? "no status"
        let labelWidth = Badge.textWidth(label) + 12
        let messageWidth = Badge.textWidth(message) + 12
        let colors = Badge.colors[d.statusCategory] ?? ("#4b5563", "#ffffff")
        return theme.render("badge-svg", [
            "label": label, "message": message, "title": "\(label): \(d.title) — \(message)",
            "labelWidth": labelWidth, "messageWidth": messageWidth, "width": labelWidth + messageWidth,
            "labelX": labelWidth * 5, "messageX": (labelWidth + messageWidth / 2) * 10,
            "labelTextLength": (labelWidth - 12) * 10, "messageTextLength": (messageWidth - 12) * 10,
            "color": colors.0, "textColor": colors.1, "statusCategory": d.statusCategory.rawValue,
        ])
    }
}

/// Shield-style badge geometry: text widths of 11px Verdana, approximated per character, and
/// one colour per status category, each with a text colour of at least 4.5:1 contrast.
enum Badge {
    static let colors: [StatusCategory: (String, String)] = [
        .accepted: ("#1a7f37", "#ffffff"),     // green, 5.1:1
        .proposed: ("#0b5cad", "#ffffff"),     // blue, 6.6:1
        .rejected: ("#b42318", "#ffffff"),     // red, 6.4:1
        .deprecated: ("#57606a", "#ffffff"),   // grey, 6.3:1
        .superseded: ("#9a6700", "#ffffff"),   // amber, 4.8:1
        .other: ("#6e7781", "#ffffff"),        // neutral, 4.6:1
    ]

    static func textWidth(_ text: String) -> Int {
        var width = 0.0
        for c in text {
            switch c {
            case "i", "l", "j", "I", ".", ",", ":", ";", "'", "|", "!": width += 3.5
            case "f", "t", "r", " ", "(", ")", "-", "[", "]": width += 4.6
            case "m", "w", "M", "W": width += 10.2
            case "A"..."Z", "0"..."9": width += 7.5
            default: width += c.isASCII ? 6.6 : 8.0
            }
        }
        return Int(width.rounded(.up))
    }
}
