import ADRCore

/// The words badges and filter chips show, chosen so that a badge's word and its colour never
/// disagree: a decision whose status line still says "accepted" while another decision
/// supersedes it is shown as "superseded" (in the superseded colour), with the status line's
/// word in the badge's tooltip.
enum StatusWords {
    /// The word on a decision's badge.
    static func badgeLabel(status: String?, category: StatusCategory) -> String {
        guard let status else { return category == .other ? "no status" : category.rawValue }
        return StatusRules.category(status) == category ? status : category.rawValue
    }

    /// The badge's tooltip: the status, and the status line's own word when the badge shows another.
    static func badgeTitle(status: String?, category: StatusCategory) -> String {
        let label = badgeLabel(status: status, category: category)
        guard let status, status != label else { return "Status: \(label)" }
        return "Status: \(label) (its status line says “\(status)”)"
    }

    /// The word on a status filter chip: the category, except for `other`, whose chip says what
    /// its badges say ("no status", "other", or both when the log has both kinds).
    static func chipLabel(_ category: StatusCategory, withoutStatus: Int, count: Int) -> String {
        guard category == .other, withoutStatus > 0 else { return category.rawValue }
        return withoutStatus == count ? "no status" : "other or no status"
    }
}
