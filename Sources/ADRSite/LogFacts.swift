import Foundation
import ADRCore

/// Facts about the whole log that decide what every page shows: which index columns and
/// navigation items have anything in them, the categories to filter by, the page language.
/// Made once per build from plain values of the log.
struct LogFacts: Sendable, Hashable {
    /// Some decision has a number (else the index has no number column and sorts by date).
    var hasNumbers = false
    /// Some decision has a date.
    var hasDates = false
    /// Some decision has a follow-up section (else no follow-up column, count or navigation item).
    var hasFollowUps = false
    /// The subfolders decisions live in, sorted; empty when every decision is at the top.
    var categories: [String] = []
    /// The language of the pages (`<html lang>`).
    var language = "en"

    init(_ log: DecisionLog, language option: String?) {
        var categories = Set<String>()
        var languages: [String: Int] = [:]
        for d in log.decisions {
            if d.number != nil { hasNumbers = true }
            if d.date != nil { hasDates = true }
            if !d.followUps.isEmpty { hasFollowUps = true }
            if !d.category.isEmpty { categories.insert(d.category) }
            if let lang = LogFacts.language(of: d) { languages[lang, default: 0] += 1 }
        }
        self.categories = categories.sorted()
        // --lang wins; else the language most decisions state, when more than half state one.
        if let option = option.flatMap(LogFacts.languageTag) {
            language = option
        } else if let (lang, count) = languages.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
                  count * 2 > log.decisions.count {
            language = lang
        }
    }

    /// The language a decision's front matter states (`lang: fr`, `language: de-CH`), if valid.
    static func language(of d: Decision) -> String? {
        d.parsed.language.flatMap(languageTag)
    }

    /// A BCP 47 language tag as `<html lang>` takes it (`fr`, `pt-BR`), else nil.
    static func languageTag(_ text: String) -> String? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...8).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return nil
        }
        for part in parts.dropFirst() where !(1...8).contains(part.count) || !part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            return nil
        }
        return parts.joined(separator: "-")
    }
}
