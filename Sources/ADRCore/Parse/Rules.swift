import Foundation

/// Rules for titles.
enum TitleRules {
    /// Removes a number prefix a person does not read as part of the title: `1. `, `10 `,
    /// `ADR005: `, `ADR-0005 - `, `0014. `, `72.  `. Returns the number it removed.
    static func stripNumber(_ title: String) -> (title: String, number: Int?) {
        let b = Array(title.utf8)
        var (i, hadADR) = skipADR(b)
        if !hadADR && b.first == UInt8(ascii: "#") { i = 1 }
        let digitsStart = i
        var value = 0
        while i < b.count && Scan.isDigit(b[i]) && i - digitsStart < 9 { value = value * 10 + Int(b[i] - 48); i += 1 }
        guard i > digitsStart else { return (title, nil) }
        // A date is no number prefix: `2020-11-09 Use Kafka`, `2020/11 review`.
        if i + 1 < b.count && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "/")) && Scan.isDigit(b[i + 1]) {
            return (title, nil)
        }
        // Nor is a year followed by words: `2020 roadmap` (but `ADR 2020 Roadmap` is decision 2020).
        if !hadADR && i - digitsStart == 4 && b[digitsStart] != UInt8(ascii: "0") && (1900...2100).contains(value)
            && i < b.count && b[i] == 0x20 {
            return (title, nil)
        }
        // Then a separator: `.`, `:`, `)`, `-`, `–`, `—`, `|` with spaces around, or spaces alone.
        var j = i
        var sawSeparator = false
        var sawSpace = false
        while j < b.count {
            if b[j] == 0x20 || b[j] == 0x09 { sawSpace = true; j += 1; continue }
            if !sawSeparator && (b[j] == UInt8(ascii: ".") || b[j] == UInt8(ascii: ":") || b[j] == UInt8(ascii: ")")
                                 || b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: "|")) {
                // `1.5 release` is not a prefix.
                if b[j] == UInt8(ascii: ".") && j + 1 < b.count && Scan.isDigit(b[j + 1]) { return (title, nil) }
                sawSeparator = true
                j += 1
                continue
            }
            if !sawSeparator && b[j] == 0xE2 && j + 2 < b.count && b[j + 1] == 0x80 && (b[j + 2] == 0x93 || b[j + 2] == 0x94) {
                sawSeparator = true
                j += 3
                continue
            }
            break
        }
        guard (sawSeparator || sawSpace || hadADR), j < b.count else { return (title, nil) }
        if !sawSeparator && !sawSpace { return (title, nil) }
        let rest = String(decoding: b[j...], as: UTF8.self)
        return (rest, value)
    }
}

extension TitleRules {
    /// Where a title goes on after a leading `ADR` (any case) and the spaces, `-`, `_` and `#`
    /// after it; 0 and false when it does not begin with `ADR`.
    static func skipADR(_ b: [UInt8]) -> (index: Int, hadADR: Bool) {
        guard b.count >= 3 && Scan.lower(b[0]) == UInt8(ascii: "a") && Scan.lower(b[1]) == UInt8(ascii: "d")
            && Scan.lower(b[2]) == UInt8(ascii: "r") else { return (0, false) }
        var i = 3
        while i < b.count && (b[i] == 0x20 || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "_") || b[i] == UInt8(ascii: "#")) { i += 1 }
        return (i, true)
    }

    /// Removes a template's placeholder where the number goes: `n. `, `NNNN. `, `ADR-XXX: `.
    /// A single letter counts only where the file name has a number (`N. Korea …` stays).
    static func stripPlaceholder(_ title: String, fileHasNumber: Bool) -> String {
        let b = Array(title.utf8)
        var (i, hadADR) = skipADR(b)
        let start = i
        guard i < b.count, [UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "x"), UInt8(ascii: "X")].contains(b[i]) else { return title }
        while i < b.count && b[i] == b[start] && i - start < 5 { i += 1 }
        let length = i - start
        guard length >= 2 || hadADR || fileHasNumber else { return title }
        // Then a separator, as after a number: `.`, `:`, `)`, a dash, and a space.
        guard i < b.count, [UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: ")"), UInt8(ascii: "-")].contains(b[i])
                || (b[i] == 0x20 && hadADR) else { return title }
        while i < b.count && [UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: ")"), UInt8(ascii: "-"), 0x20, 0x09].contains(b[i]) { i += 1 }
        guard i < b.count, i > start + length else { return title }
        return String(decoding: b[i...], as: UTF8.self)
    }
}

/// Splits "Alice, Bob and Carol" into names.
enum ListRules {
    static func split(_ value: String) -> [String] {
        var parts: [String] = []
        for piece in value.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            var subparts = [" " + piece + " "]
            // No joiner in it (the common case: "Ada", "Ada Lovelace", and all of a list of
            // 100,000 names): the piece is one name.
            if !Conventions.nameJoiners.contains(where: { subparts[0].utf8.containsSequence($0.utf8) }) {
                let name = piece.trimmingCharacters(in: " \t\n[]")
                if !name.isEmpty { parts.append(name) }
                continue
            }
            for joiner in Conventions.nameJoiners {
                subparts = subparts.flatMap { splitting($0, on: joiner).map { " " + $0 + " " } }
            }
            for p in subparts {
                let t = p.trimmingCharacters(in: " \t\n[]")
                if !t.isEmpty { parts.append(t) }
            }
        }
        return parts
    }

    /// `text` cut at every occurrence of `separator` (bytes; ASCII separators).
    static func splitting(_ text: String, on separator: String) -> [String] {
        let b = Array(text.utf8), sep = Array(separator.utf8)
        var out: [String] = []
        var start = 0, i = 0
        while i + sep.count <= b.count {
            if b[i] == sep[0] && b[i..<(i + sep.count)].elementsEqual(sep) {
                out.append(String(decoding: b[start..<i], as: UTF8.self))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        out.append(String(decoding: b[start...], as: UTF8.self))
        return out
    }
}

enum FrontMatterRules {
    /// A decision named in front matter: a path, `ADR-12`, `12`, a Markdown link or an id.
    static func target(_ value: String) -> ReferenceTarget {
        let v = value.trimmingCharacters(in: " \t")
        if let url = markdownLinkTarget(v) { return .url(url) }
        if Paths.isMarkdown(String(v.split(separator: "#").first ?? "")) { return .url(v) }
        let b = Array(v.utf8)
        if let (number, end) = Scan.mention(b, at: 0), end == b.count { return .number(number) }
        if !b.isEmpty && b.allSatisfy(Scan.isDigit), let n = Int(v) { return .number(n) }
        return .name(v)
    }

    /// `0007#2`, `ADR-7#2`, `0007-x.md#follow-up-2`.
    static func followUp(_ value: String, line: Int) -> FollowUpReference? {
        let parts = value.split(separator: "#", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        var numberPart = parts[1].lowercased()
        if numberPart.hasPrefix("follow-up-") { numberPart.removeFirst(10) }
        guard let number = Int(numberPart) else { return nil }
        return FollowUpReference(target: target(String(parts[0])), number: number, line: line, column: 1)
    }

    /// The destination of the first `[text](destination)` in a string.
    static func markdownLinkTarget(_ value: String) -> String? {
        guard let open = value.range(of: "](") else { return nil }
        let rest = value[open.upperBound...]
        guard let close = rest.firstIndex(of: ")") else { return nil }
        let url = rest[..<close].trimmingCharacters(in: " <>")
        return url.isEmpty ? nil : url
    }
}

/// GitHub-style heading anchors: lowercase, punctuation dropped, spaces to `-`.
enum Slug {
    /// GitHub's anchor of a heading's text: lowercase letters and digits, `-` and `_`; spaces and
    /// tabs become `-`; everything else is left out.
    static func make(_ text: String) -> String {
        text.utf8.allSatisfy({ $0 < 0x80 }) ? ascii(text) : characters(text)
    }

    /// `characters(_:)` for ASCII text, byte by byte (every heading of every page; a seeded test
    /// compares the two).
    static func ascii(_ text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): out.append(b + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"): out.append(b)
            case UInt8(ascii: " "), UInt8(ascii: "\t"): out.append(UInt8(ascii: "-"))
            default: break
            }
        }
        return out.isEmpty ? "section" : String(decoding: out, as: UTF8.self)
    }

    /// The rule, by Characters.
    static func characters(_ text: String) -> String {
        var out = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "-" || ch == "_" {
                out.append(ch)
            } else if ch == " " || ch == "\t" {
                out.append("-")
            }
        }
        return out.isEmpty ? "section" : out
    }
}

/// Hands out unique anchors within a page: `context`, `context-1`, …
struct AnchorSet {
    private var used: Set<String> = []
    /// The suffix to try next for each base (those below it are taken): 10,000 headings of one
    /// name cost 10,000 tries, not 50 million.
    private var nextSuffix: [String: Int] = [:]
    init(reserved: [String] = []) { used = Set(reserved) }
    mutating func unique(_ base: String) -> String {
        if used.insert(base).inserted { return base }
        var n = nextSuffix[base] ?? 1
        while !used.insert("\(base)-\(n)").inserted { n += 1 }
        nextSuffix[base] = n + 1
        return "\(base)-\(n)"
    }
}
