/// The GFM autolink extension over cmark's tree: bare `http://`, `https://`, `ftp://` and `www.`
/// addresses and e-mail addresses in text become links, with cmark-gfm's rules for where an
/// address ends (trailing punctuation, unbalanced `)`, entities) and where none is looked for
/// (inside link text and after an unclosed `[`). The links are ordinary `.link` nodes (marked
/// `isExtendedAutolink`), so the link stage treats them as links written by hand.
///
/// cmark-gfm matches addresses in the raw text; this step matches them in cmark's text nodes.
/// The two differ only where an address runs into other inline syntax without a space
/// (`http://x.com/*a*`) or holds an escape or entity: cmark-gfm's link then includes the raw
/// characters.
enum Autolink {
    /// Whether a text may hold a URL or `www.` address.
    static func mayHoldURL(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.containsSequence("://") || bytes.containsSequence("www.")
    }

    /// Links the URLs and `www.` addresses of every paragraph, heading and table cell.
    static func linkURLs(in doc: inout MarkdownDocument, context: InlineContext) {
        for block in doc.descendants(of: MarkdownDocument.root) {
            let kind = doc[block].kind
            guard kind == .paragraph || kind == .heading || kind == .tableCell else { continue }
            var depth = 0
            for text in textNodes(doc, in: block, skipLinks: true) {
                let matches = findURLs(doc, text, context: context, depth: &depth)
                apply(matches, to: text, in: &doc)
            }
        }
    }

    /// Links the e-mail addresses (`a@b.co`, `mailto:a@b.co`, `xmpp:a@b.co/r`) of every text node
    /// outside links and images.
    static func linkEmails(in doc: inout MarkdownDocument) {
        for block in doc.descendants(of: MarkdownDocument.root) {
            let kind = doc[block].kind
            guard kind == .paragraph || kind == .heading || kind == .tableCell else { continue }
            doc.mergeText(in: block)
            for text in textNodes(doc, in: block, skipLinks: true) {
                let bytes = Array(doc.bytes(doc[text].literal))
                guard bytes.contains(UInt8(ascii: "@")) else { continue }
                apply(findEmails(bytes), to: text, in: &doc)
            }
        }
    }

    struct Match {
        var start: Int
        var end: Int
        var url: [UInt8]
    }

    /// The text nodes below `block` in document order, not those inside links and images.
    static func textNodes(_ doc: MarkdownDocument, in block: Int32, skipLinks: Bool) -> [Int32] {
        var out: [Int32] = []
        var stack: [Int32] = []
        var c = doc[block].lastChild
        while c >= 0 { stack.append(c); c = doc[c].previous }
        while let n = stack.popLast() {
            let node = doc[n]
            if node.kind == .text { out.append(n); continue }
            if skipLinks && (node.kind == .link || node.kind == .image) { continue }
            if node.kind.isBlock { continue }
            var g = node.lastChild
            while g >= 0 { stack.append(g); g = doc[g].previous }
        }
        return out
    }

    // MARK: - URLs and www. addresses

    private static func findURLs(_ doc: MarkdownDocument, _ node: Int32, context: InlineContext, depth: inout Int) -> [Match] {
        // Most text has no address: count its brackets without copying it.
        let literal = doc[node].literal
        var trigger = false, brackets = false
        var plainDepth = depth
        doc.text.withUnsafeBufferPointer { text in
            let start = Int(literal.start), end = Int(literal.start + literal.count)
            var k = start
            while k < end {
                let b = text[k]
                if b == UInt8(ascii: "[") {
                    brackets = true
                    plainDepth += 1
                } else if b == UInt8(ascii: "]") {
                    brackets = true
                    if plainDepth > 0 { plainDepth -= 1 }
                } else if (b == UInt8(ascii: ":") && context.hasScheme && k + 2 < end && text[k + 1] == UInt8(ascii: "/"))
                            || (b == UInt8(ascii: "w") && context.hasWWW && k + 3 < end && text[k + 3] == UInt8(ascii: ".")) {
                    trigger = true
                    break
                }
                k += 1
            }
        }
        let slice = doc.bytes(literal)
        if !trigger {
            guard brackets else { return [] }
            if context.plain {
                depth = plainDepth
                return []
            }
            let written = context.plain ? nil : context.writtenMask(doc, node)
            for (i, b) in slice.enumerated() where written?[i] ?? true {
                if b == UInt8(ascii: "[") { depth += 1 } else if b == UInt8(ascii: "]") && depth > 0 { depth -= 1 }
            }
            return []
        }
        let t = Array(slice)
        // cmark-gfm reads on into the raw text after this node; what follows decides where a
        // domain ends (`www.` before `<b>` is a link to `www`).
        let following = doc[node].next
        let next: UInt8? = following < 0 || doc[following].kind == .softBreak || doc[following].kind == .lineBreak
            ? nil : UInt8(ascii: "*")
        let written = (t.contains(UInt8(ascii: "[")) || t.contains(UInt8(ascii: "]"))) ? context.writtenMask(doc, node) : nil
        var out: [Match] = []
        var consumed = 0
        var i = 0
        while i < t.count {
            let b = t[i]
            if b == UInt8(ascii: "[") && written?[i] ?? true {
                depth += 1
            } else if b == UInt8(ascii: "]") && written?[i] ?? true {
                if depth > 0 { depth -= 1 }
            } else if depth == 0 && b == UInt8(ascii: ":"), let m = urlMatch(t, colon: i, from: consumed, next: next) {
                out.append(m)
                i = m.end
                consumed = m.end
                continue
            } else if depth == 0 && b == UInt8(ascii: "w"), wwwMayStart(doc, node, t, at: i),
                      let m = wwwMatch(t, at: i, next: next) {
                out.append(m)
                i = m.end
                consumed = m.end
                continue
            }
            i += 1
        }
        return out
    }

    /// cmark-gfm's `url_match` at a `:`: a scheme of letters before it, `//` after it.
    static func urlMatch(_ t: [UInt8], colon p: Int, from lower: Int, next: UInt8? = nil) -> Match? {
        guard p + 3 < t.count, t[p + 1] == UInt8(ascii: "/"), t[p + 2] == UInt8(ascii: "/") else { return nil }
        var rewind = 0
        while p - rewind - 1 >= lower && isASCIIAlpha(t[p - rewind - 1]) { rewind += 1 }
        let scheme = t[(p - rewind)...(p + 2)].map { $0 | 0x20 }
        guard scheme.elementsEqual("http://".utf8) || scheme.elementsEqual("https://".utf8) || scheme.elementsEqual("ftp://".utf8),
              isValidHostChar(t, p + 3) else { return nil }
        let domain = checkDomain(Array(t[(p + 3)...]) + (next.map { [$0] } ?? []), allowShort: true)
        guard domain > 0 else { return nil }
        var end = min(3 + domain, t.count - p)
        let data = Array(t[p...])
        while end < data.count && !isCmarkSpace(data[end]) { end += 1 }
        end = trimmedEnd(data, end)
        guard end > 0 else { return nil }
        return Match(start: p - rewind, end: p + end, url: Array(t[(p - rewind)..<(p + end)]))
    }

    /// Whether a `www.` at `i` follows the start of a block, whitespace, or one of `*_~(`.
    private static func wwwMayStart(_ doc: MarkdownDocument, _ node: Int32, _ t: [UInt8], at i: Int) -> Bool {
        guard i + 4 <= t.count, t[i + 1] == UInt8(ascii: "w"), t[i + 2] == UInt8(ascii: "w"), t[i + 3] == UInt8(ascii: ".") else {
            return false
        }
        if i > 0 {
            let b = t[i - 1]
            return isCmarkSpace(b) || b == UInt8(ascii: "*") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~") || b == UInt8(ascii: "(")
        }
        let previous = doc[node].previous
        if previous < 0 {
            // At the start of a block, or just after an emphasis opener.
            let parent = doc[node].parent
            return doc[parent].kind.isBlock || doc[parent].kind == .emphasis || doc[parent].kind == .strong
        }
        switch doc[previous].kind {
        case .softBreak, .lineBreak, .emphasis, .strong: return true
        case .text:
            guard let b = doc.bytes(doc[previous].literal).last else { return true }
            return isCmarkSpace(b) || b == UInt8(ascii: "*") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~") || b == UInt8(ascii: "(")
        default: return false
        }
    }

    /// cmark-gfm's `www_match`.
    static func wwwMatch(_ t: [UInt8], at p: Int, next: UInt8? = nil) -> Match? {
        let data = Array(t[p...])
        var end = min(checkDomain(data + (next.map { [$0] } ?? []), allowShort: false), data.count)
        guard end > 0 else { return nil }
        while end < data.count && !isCmarkSpace(data[end]) { end += 1 }
        end = trimmedEnd(data, end)
        guard end > 0 else { return nil }
        return Match(start: p, end: p + end, url: Array("http://".utf8) + data[0..<end])
    }

    /// cmark-gfm's `check_domain`: the length of the domain at the start of `data` (0 when an
    /// underscore is in its last two labels, or, unless `allowShort`, it has no dot).
    static func checkDomain(_ data: [UInt8], allowShort: Bool) -> Int {
        var i = 1, dots = 0, underscores1 = 0, underscores2 = 0
        while i < data.count - 1 {
            let c = data[i]
            if c == UInt8(ascii: "_") {
                underscores2 += 1
            } else if c == UInt8(ascii: ".") {
                underscores1 = underscores2
                underscores2 = 0
                dots += 1
            } else if !isValidHostChar(data, i) && c != UInt8(ascii: "-") {
                break
            }
            i += 1
        }
        if underscores1 > 0 || underscores2 > 0 { return 0 }
        return allowShort || dots > 0 ? i : 0
    }

    /// A character that is neither whitespace nor punctuation, decoded at byte `i` (a byte in
    /// the middle of a character is not one, as in cmark-gfm).
    private static func isValidHostChar(_ t: [UInt8], _ i: Int) -> Bool {
        guard i < t.count, t[i] & 0xC0 != 0x80, let s = InlineContext.firstScalar(t[i...]) else { return false }
        return !s.isCmarkSpace && !s.isCmarkPunctuation
    }

    /// cmark-gfm's `autolink_delim`: where an address ends once trailing punctuation, an
    /// unbalanced `)`, a trailing entity and anything from a `<` on are left out.
    static func trimmedEnd(_ data: [UInt8], _ end: Int) -> Int {
        var end = end
        if let lt = data[0..<end].firstIndex(of: UInt8(ascii: "<")) { end = lt }
        while end > 0 {
            let c = data[end - 1]
            if "?!.,:*_~'\"".utf8.contains(c) {
                end -= 1
            } else if c == UInt8(ascii: ";") {
                var k = end - 2
                while k > 0 && isASCIIAlpha(data[k]) { k -= 1 }
                if k < end - 2 && k >= 0 && data[k] == UInt8(ascii: "&") { end = k } else { end -= 1 }
            } else if c == UInt8(ascii: ")") {
                var opening = 0, closing = 0
                for b in data[0..<end] {
                    if b == UInt8(ascii: "(") { opening += 1 } else if b == UInt8(ascii: ")") { closing += 1 }
                }
                if closing <= opening { break }
                end -= 1
            } else {
                break
            }
        }
        return end
    }

    // MARK: - E-mail addresses

    /// cmark-gfm's `postprocess_text`, without recursion: the e-mail addresses of one text.
    static func findEmails(_ t: [UInt8]) -> [Match] {
        var out: [Match] = []
        var regionStart = 0, offset = 0, rounds = 0
        while offset < t.count, rounds <= 1000, let at = t[offset...].firstIndex(of: UInt8(ascii: "@")) {
            rounds += 1
            let maxRewind = at - offset
            var autoMailto = true, isXMPP = false
            var rewind = 0
            while rewind < maxRewind {
                let c = t[at - rewind - 1]
                if isASCIIAlphanumeric(c) || ".+-_".utf8.contains(c) { rewind += 1; continue }
                if c == UInt8(ascii: ":") {
                    if protocolEnds(t, at: at - rewind - 1, "mailto:", regionStart: regionStart) {
                        autoMailto = false
                        rewind += 1
                        continue
                    }
                    if protocolEnds(t, at: at - rewind - 1, "xmpp:", regionStart: regionStart) {
                        autoMailto = false
                        isXMPP = true
                        rewind += 1
                        continue
                    }
                }
                break
            }
            guard rewind > 0 else { offset = at + 1; continue }
            var end = 0, ats = 0, dots = 0
            let size = t.count - at
            while end < size {
                let c = t[at + end]
                if isASCIIAlphanumeric(c) {
                } else if c == UInt8(ascii: "@") {
                    ats += 1
                } else if c == UInt8(ascii: "."), end < size - 1, isASCIIAlphanumeric(t[at + end + 1]) {
                    dots += 1
                } else if c == UInt8(ascii: "/") && isXMPP {
                } else if c != UInt8(ascii: "-") && c != UInt8(ascii: "_") {
                    break
                }
                end += 1
            }
            guard end >= 2, ats == 1, dots > 0,
                  isASCIIAlpha(t[at + end - 1]) || t[at + end - 1] == UInt8(ascii: ".") else { offset = at + 1; continue }
            end = trimmedEnd(Array(t[at...]), end)
            guard end > 0 else { offset = at + 1; continue }
            let address = Array(t[(at - rewind)..<(at + end)])
            out.append(Match(start: at - rewind, end: at + end, url: (autoMailto ? Array("mailto:".utf8) : []) + address))
            regionStart = at + end
            offset = at + end
        }
        return out
    }

    /// Whether `protocol` (ending in `:`) ends at `colon`, at the start of the text or after a
    /// character that is not a letter or digit.
    private static func protocolEnds(_ t: [UInt8], at colon: Int, _ scheme: String, regionStart: Int) -> Bool {
        let p = Array(scheme.utf8)
        let start = colon - p.count + 1
        guard start >= 0, t[start...colon].elementsEqual(p) else { return false }
        return start <= regionStart || !isASCIIAlphanumeric(t[start - 1])
    }

    // MARK: - Into the tree

    /// Puts a link node around each match of text node `node`'s literal.
    static func apply(_ matches: [Match], to node: Int32, in doc: inout MarkdownDocument) {
        for m in matches.reversed() {
            let line = doc[node].line, column = doc[node].column
            if m.end < Int(doc[node].literal.count) { _ = doc.split(node, at: Int32(m.end)) }
            let inner = m.start > 0 ? doc.split(node, at: Int32(m.start)) : node
            var link = MarkdownNode(kind: .link)
            link.level = 1
            link.url = doc.store(m.url)
            link.line = line
            link.endLine = line
            link.column = column + Int32(m.start)
            link.endColumn = column + Int32(m.end) - 1
            let index = doc.appendDetached(link)
            doc.wrap(inner, through: inner, in: index)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
