extension MarkdownDocument {
    /// The plain text of the first paragraph under the first heading named one of `sections`
    /// (e.g. "Context"), else of the first paragraph: a short summary for search and feeds.
    public func summary(sections: Set<String> = ["context", "context and problem statement", "summary", "problem"],
                        limit: Int = 240) -> String {
        var inSection = false
        var firstParagraph: Int32?
        for n in children(of: MarkdownDocument.root) {
            let node = self[n]
            if node.kind == .heading {
                inSection = sections.contains(plainText(of: n).lowercased().trimmingCharacters(in: " \t:"))
                continue
            }
            if node.kind == .paragraph {
                if inSection { return clip(plainText(of: n), limit) }
                if firstParagraph == nil { firstParagraph = n }
            }
        }
        return firstParagraph.map { clip(plainText(of: $0), limit) } ?? ""
    }

    /// The text on one line, cut at a word boundary after at most `limit` characters.
    private func clip(_ s: String, _ limit: Int) -> String {
        var bytes = Array(s.utf8)
        for k in bytes.indices where bytes[k] == 0x0A { bytes[k] = 0x20 }
        // Character counts matter only near the limit; bytes over-count, so check cheaply first.
        if bytes.count <= limit { return String(decoding: bytes, as: UTF8.self) }
        let flat = String(decoding: bytes, as: UTF8.self)
        guard flat.count > limit else { return flat }
        var cut = String(flat.prefix(limit))
        if let space = cut.lastIndex(of: " ") { cut = String(cut[..<space]) }
        return cut + "…"
    }
}

/// `ADR-12` mentions in text, for linking them on pages.
public enum Mentions {
    public static func find(in text: String) -> [(range: Range<String.Index>, number: Int)] {
        let utf8 = text.utf8
        // Most text has no "adr" at all: look for one before copying anything.
        func containsADR<C: Sequence>(_ bytes: C) -> Bool where C.Element == UInt8 {
            var prev2: UInt8 = 0, prev1: UInt8 = 0
            for c in bytes {
                if (prev2 | 0x20) == UInt8(ascii: "a") && (prev1 | 0x20) == UInt8(ascii: "d") && (c | 0x20) == UInt8(ascii: "r") {
                    return true
                }
                prev2 = prev1
                prev1 = c
            }
            return false
        }
        guard utf8.withContiguousStorageIfAvailable(containsADR) ?? containsADR(utf8) else { return [] }
        let b = Array(utf8)
        var out: [(Range<String.Index>, Int)] = []
        var i = 0
        while i < b.count {
            if (b[i] == UInt8(ascii: "A") || b[i] == UInt8(ascii: "a")), let (number, end) = Scan.mention(b, at: i) {
                let lower = utf8.index(utf8.startIndex, offsetBy: i)
                let upper = utf8.index(utf8.startIndex, offsetBy: end)
                out.append((lower..<upper, number))
                i = end
                continue
            }
            i += 1
        }
        return out
    }
}
