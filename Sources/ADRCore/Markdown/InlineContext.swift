/// What the inline GFM steps (autolinks, strikethrough, footnote references) need to know about
/// text that cmark has already parsed: cmark-gfm decides on the raw text of a paragraph, while
/// these steps see cmark's text nodes, where escapes and entities are already decoded and the
/// other inline syntax has become nodes.
struct InlineContext {
    /// The source's lines, kept only when `plain` is false (they are needed only then).
    let lines: SourceLines?
    /// Whether the source has no backslash escape and no entity: then every byte of a text
    /// node's literal was written as it is (most documents).
    let plain: Bool
    /// Whether the source has `://` and `www.`: the autolink step looks only for what is there.
    let hasScheme: Bool
    let hasWWW: Bool

    init(source: UnsafeBufferPointer<UInt8>) {
        plain = !InlineContext.mayEscape(source)
        lines = plain ? nil : SourceLines(bytes: source)
        hasScheme = source.containsSequence("://")
        hasWWW = source.containsSequence("www.")
    }

    /// Whether a backslash before punctuation or an `&` before a letter, digit or `#` occurs.
    private static func mayEscape(_ source: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = source.baseAddress else { return false }
        for marker in [UInt8(ascii: "\\"), UInt8(ascii: "&")] {
            var from = 0
            while from < source.count, let hit = memchr(base + from, Int32(marker), source.count - from) {
                let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                if at + 1 < source.count {
                    let next = source[at + 1]
                    if marker == UInt8(ascii: "\\") ? isASCIIPunctuation(next) : (isASCIIAlphanumeric(next) || next == UInt8(ascii: "#")) {
                        return true
                    }
                }
                from = at + 1
            }
        }
        return false
    }

    /// For each byte of text node `node`'s literal, whether it was written as itself in the
    /// source (not as a backslash escape or part of an entity); nil when all were, or when the
    /// source cannot be matched (then the literal is taken as written).
    func writtenMask(_ doc: MarkdownDocument, _ node: Int32) -> [Bool]? {
        guard !plain, let lines else { return nil }
        let n = doc[node]
        guard let line = lines.line(Int(n.line)) else { return nil }
        let literal = Array(doc.bytes(n.literal))
        guard let first = literal.first else { return nil }
        // cmark gives continuation lines of a paragraph the first line's column offset, and the
        // steps before may have split a node by literal offsets, so the reported column may be
        // off: try it first, then the places near it. The literal must be what the source from
        // there decodes to.
        let reported = Int(n.column) - 1
        var candidates = [reported]
        for d in 1...128 {
            candidates.append(reported - d)
            candidates.append(reported + d)
        }
        for start in candidates where start >= 0 && start < line.count {
            let b = line[line.startIndex + start]
            guard b == first || b == UInt8(ascii: "\\") || b == UInt8(ascii: "&") else { continue }
            if let mask = InlineContext.align(line[(line.startIndex + start)...], literal) {
                return mask.allSatisfy { $0 } ? nil : mask
            }
        }
        return nil
    }

    /// Matches the start of a source span against the literal cmark made of it.
    static func align(_ span: ArraySlice<UInt8>, _ literal: [UInt8]) -> [Bool]? {
        let source = span
        var mask = [Bool](repeating: true, count: literal.count)
        var i = source.startIndex, j = 0
        while j < literal.count {
            guard i < source.endIndex else { return nil }
            let s = source[i]
            if s == UInt8(ascii: "\\") && i + 1 < source.endIndex && isASCIIPunctuation(source[i + 1]) && literal[j] == source[i + 1] {
                mask[j] = false
                i += 2
                j += 1
                continue
            }
            if s == UInt8(ascii: "&"), let semi = entityEnd(source, i),
               !literal[j...].starts(with: source[i...semi]) {
                let k = decodedLength(source[i...semi], literal: literal[j...], next: semi + 1 < source.endIndex ? source[semi + 1] : nil)
                guard k > 0, j + k <= literal.count else { return nil }
                for m in j..<(j + k) { mask[m] = false }
                i = semi + 1
                j += k
                continue
            }
            guard s == literal[j] else { return nil }
            i += 1
            j += 1
        }
        return mask
    }

    /// The index of the `;` of an entity (`&name;`, `&#123;`, `&#x1F;`) starting at `i`.
    private static func entityEnd(_ s: ArraySlice<UInt8>, _ i: Int) -> Int? {
        var j = i + 1
        while j < s.endIndex && j - i <= 32 {
            let b = s[j]
            if b == UInt8(ascii: ";") { return j > i + 1 ? j : nil }
            guard isASCIIAlphanumeric(b) || (b == UInt8(ascii: "#") && j == i + 1) else { return nil }
            j += 1
        }
        return nil
    }

    /// How many literal bytes an entity became: a numeric one is decoded here; a named one is
    /// one or two characters, whichever lets the text after it match.
    private static func decodedLength(_ entity: ArraySlice<UInt8>, literal: ArraySlice<UInt8>, next: UInt8?) -> Int {
        func scalarLength(at j: Int) -> Int {
            guard j < literal.endIndex else { return 0 }
            let b = literal[j]
            return b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
        }
        let one = scalarLength(at: literal.startIndex)
        let two = one + scalarLength(at: literal.startIndex + one)
        if let next, literal.startIndex + one < literal.endIndex, literal[literal.startIndex + one] != next, two > one {
            return two
        }
        return one
    }

    // MARK: - The characters around a node

    /// The character cmark-gfm sees just before inline node `node` in the raw text: the end of
    /// the text or syntax before it, `\n` at the start of a block.
    static func before(_ doc: MarkdownDocument, _ node: Int32) -> Unicode.Scalar {
        let previous = doc[node].previous
        if previous >= 0 { return last(doc, previous) }
        let parent = doc[node].parent
        return parent >= 0 && isInlineContainer(doc[parent].kind) && !doc[parent].kind.isBlock ? "*" : "\n"
    }

    /// The character just after inline node `node` in the raw text.
    static func after(_ doc: MarkdownDocument, _ node: Int32) -> Unicode.Scalar {
        let next = doc[node].next
        if next >= 0 { return first(doc, next) }
        let parent = doc[node].parent
        return parent >= 0 && isInlineContainer(doc[parent].kind) && !doc[parent].kind.isBlock ? "*" : "\n"
    }

    /// The last raw character of an inline node (`*` stands for any closing punctuation).
    private static func last(_ doc: MarkdownDocument, _ n: Int32) -> Unicode.Scalar {
        let node = doc[n]
        switch node.kind {
        case .text: return lastScalar(doc.bytes(node.literal)) ?? "*"
        case .softBreak, .lineBreak: return "\n"
        case .link where node.isExtendedAutolink:
            let text = node.firstChild
            return text >= 0 ? lastScalar(doc.bytes(doc[text].literal)) ?? "*" : "*"
        default: return "*"
        }
    }

    /// The first raw character of an inline node.
    private static func first(_ doc: MarkdownDocument, _ n: Int32) -> Unicode.Scalar {
        let node = doc[n]
        switch node.kind {
        case .text: return firstScalar(doc.bytes(node.literal)) ?? "*"
        case .softBreak, .lineBreak: return "\n"
        case .link where node.isExtendedAutolink:
            let text = node.firstChild
            return text >= 0 ? firstScalar(doc.bytes(doc[text].literal)) ?? "*" : "*"
        default: return "*"
        }
    }

    static func isInlineContainer(_ kind: MarkdownNode.Kind) -> Bool {
        switch kind {
        case .paragraph, .heading, .tableCell, .emphasis, .strong, .link, .image, .strikethrough: return true
        default: return false
        }
    }

    static func firstScalar<C: Collection<UInt8>>(_ bytes: C) -> Unicode.Scalar? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let s) = decoder.decode(&iterator) { return s }
        return nil
    }

    static func lastScalar<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Unicode.Scalar? {
        var start = bytes.endIndex
        var taken = 0
        while start > bytes.startIndex && taken < 4 {
            start = bytes.index(before: start)
            taken += 1
            if bytes[start] & 0xC0 != 0x80 { break }
        }
        return firstScalar(bytes[start...])
    }
}

// MARK: - Character classes as cmark-gfm 0.29 has them

@inline(__always) func isASCIIPunctuation(_ b: UInt8) -> Bool {
    (b >= 0x21 && b <= 0x2F) || (b >= 0x3A && b <= 0x40) || (b >= 0x5B && b <= 0x60) || (b >= 0x7B && b <= 0x7E)
}

@inline(__always) func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || isASCIIAlpha(b)
}

@inline(__always) func isASCIIAlpha(_ b: UInt8) -> Bool {
    (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
}

/// `cmark_isspace`: space, tab, line feed, vertical tab, form feed, carriage return.
@inline(__always) func isCmarkSpace(_ b: UInt8) -> Bool {
    b == 0x20 || (b >= 0x09 && b <= 0x0D)
}

extension Unicode.Scalar {
    /// `cmark_utf8proc_is_space`.
    var isCmarkSpace: Bool {
        switch value {
        case 9, 10, 12, 13, 32: return true
        default: return value >= 0x80 && properties.generalCategory == .spaceSeparator
        }
    }

    /// `cmark_utf8proc_is_punctuation` (0.29: ASCII punctuation and Unicode's P categories).
    var isCmarkPunctuation: Bool {
        if value < 0x80 { return isASCIIPunctuation(UInt8(value)) }
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
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
