import ADRCore

/// The table of contents of a decision page and the place of its follow-up section, from the
/// parse stage's sections (title, level, anchor, line) only.
enum Outline {
    /// Pages with fewer top-level sections than this show no table of contents.
    static let minimumSections = 3

    /// The entries of the table of contents: the top level of the page's headings and the level
    /// below it; empty when the page has fewer than `minimumSections` top-level sections.
    static func entries(_ sections: [Section]) -> [(title: String, level: Int, anchor: String)] {
        guard let top = sections.map(\.level).min() else { return [] }
        guard sections.filter({ $0.level == top }).count >= minimumSections else { return [] }
        return sections.filter { $0.level <= top + 1 }.map { ($0.title, $0.level - top + 1, $0.anchor) }
    }

    /// The anchor of the heading the follow-up list sits under: the last section that starts
    /// before the first follow-up item; nil without follow-ups.
    static func followUpsAnchor(sections: [Section], firstFollowUpLine: Int?) -> String? {
        guard let line = firstFollowUpLine else { return nil }
        return sections.last { $0.line < line }?.anchor
    }
}
