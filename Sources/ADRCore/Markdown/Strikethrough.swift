/// The GFM strikethrough extension over cmark's tree: `~text~` and `~~text~~` become
/// `.strikethrough` nodes. As in cmark-gfm, a run of one or two tildes is a delimiter when it is
/// left- or right-flanking (the rules of `*`), an opener and a closer pair only when they have
/// the same length, and runs of three or more are text.
///
/// cmark-gfm pairs tildes together with `*` and `_`; here cmark has already paired those, so
/// tildes pair within one inline container (a paragraph, an emphasis, a link's text). The two
/// differ only where a tilde pair crosses an emphasis (`~a *b~ c*`).
enum Strikethrough {
    /// Applies the extension to every inline container of `doc`.
    static func apply(to doc: inout MarkdownDocument, context: InlineContext) {
        // The text of a bare URL that became a link is the URL's, tildes and all.
        for n in doc.descendants(of: MarkdownDocument.root)
        where InlineContext.isInlineContainer(doc[n].kind) && !doc[n].isExtendedAutolink {
            apply(in: n, doc: &doc, context: context)
        }
    }

    private struct Delimiter {
        var node: Int32
        var length: Int
        var canOpen: Bool
        var canClose: Bool
        var active = true
    }

    /// Pairs the tildes among the children of `container`.
    private static func apply(in container: Int32, doc: inout MarkdownDocument, context: InlineContext) {
        // Quick check: a tilde in a text child.
        var c = doc[container].firstChild
        var any = false
        while c >= 0 {
            if doc[c].kind == .text && doc.bytes(doc[c].literal).contains(UInt8(ascii: "~")) { any = true; break }
            c = doc[c].next
        }
        guard any else { return }
        var delimiters = collect(in: container, doc: &doc, context: context)
        guard delimiters.contains(where: { $0.canOpen }) && delimiters.contains(where: { $0.canClose }) else {
            doc.mergeText(in: container)
            return
        }
        // cmark's process_emphasis for one delimiter character.
        var bottom: [Int] = [-1, -1, -1]
        var made: [Int32] = []
        // The delimiter before each one that is still in the list, as cmark's linked list has
        // it: a search back skips removed delimiters at once.
        var previous = Array(-1..<(delimiters.count - 1))
        func remove(_ first: Int, through last: Int) {
            var j = last
            while j >= first {
                delimiters[j].active = false
                j = previous[j]
            }
            if last + 1 < delimiters.count { previous[last + 1] = previous[first] }
        }
        var k = 0
        while k < delimiters.count {
            let closer = delimiters[k]
            guard closer.active, closer.canClose else { k += 1; continue }
            var o = previous[k]
            var found = -1
            while o > bottom[closer.length % 3] {
                let opener = delimiters[o]
                if opener.active && opener.canOpen {
                    if !(closer.canOpen || opener.canClose) || (opener.length + closer.length) % 3 != 0 {
                        found = o
                        break
                    }
                }
                o = previous[o]
            }
            if found >= 0 {
                // An opener of another length: cmark-gfm (0.29.0.gfm.6) leaves both, and goes on
                // with the next closer.
                let opener = delimiters[found]
                guard opener.length == closer.length else { k += 1; continue }
                do {
                    let first = doc[opener.node].next
                    var del = MarkdownNode(kind: .strikethrough)
                    del.line = doc[opener.node].line
                    del.column = doc[opener.node].column
                    del.endLine = doc[closer.node].line
                    del.endColumn = doc[closer.node].column + Int32(closer.length) - 1
                    let index = doc.appendDetached(del)
                    made.append(index)
                    if first != closer.node {
                        doc.wrap(first, through: doc[closer.node].previous, in: index)
                    } else {
                        doc.insert(index, after: opener.node)
                    }
                    doc.unlink(opener.node)
                    doc.unlink(closer.node)
                }
                remove(found, through: k)
            } else {
                bottom[closer.length % 3] = previous[k]
                if !closer.canOpen { remove(k, through: k) }
            }
            k += 1
        }
        doc.mergeText(in: container)
        for del in made { doc.mergeText(in: del) }
    }

    /// Splits the text children of `container` so that each delimiter run is a text node of its
    /// own, and returns the runs in order.
    private static func collect(in container: Int32, doc: inout MarkdownDocument, context: InlineContext) -> [Delimiter] {
        var out: [Delimiter] = []
        var c = doc[container].firstChild
        while c >= 0 {
            let next = doc[c].next
            if doc[c].kind == .text && doc.bytes(doc[c].literal).contains(UInt8(ascii: "~")) {
                let t = Array(doc.bytes(doc[c].literal))
                let written = context.writtenMask(doc, c)
                let before = InlineContext.before(doc, c), after = InlineContext.after(doc, c)
                var runs: [(start: Int, length: Int, open: Bool, close: Bool)] = []
                var i = 0
                while i < t.count {
                    guard t[i] == UInt8(ascii: "~") && written?[i] ?? true else { i += 1; continue }
                    var j = i
                    while j < t.count && t[j] == UInt8(ascii: "~") && written?[j] ?? true { j += 1 }
                    let b = i > 0 ? InlineContext.lastScalar(t[0..<i]) ?? "*" : before
                    let a = j < t.count ? InlineContext.firstScalar(t[j...]) ?? "*" : after
                    let left = !a.isCmarkSpace && (!a.isCmarkPunctuation || b.isCmarkSpace || b.isCmarkPunctuation)
                    let right = !b.isCmarkSpace && (!b.isCmarkPunctuation || a.isCmarkSpace || a.isCmarkPunctuation)
                    if j - i <= 2 && (left || right) { runs.append((i, j - i, left, right)) }
                    i = j
                }
                // Split from the end, so that offsets into the original node stay valid.
                var pieces: [(node: Int32, run: Int)] = []
                for (r, run) in runs.enumerated().reversed() {
                    let end = run.start + run.length
                    if end < Int(doc[c].literal.count) { _ = doc.split(c, at: Int32(end)) }
                    let runNode = run.start > 0 ? doc.split(c, at: Int32(run.start)) : c
                    pieces.append((runNode, r))
                }
                for (runNode, r) in pieces.reversed() {
                    out.append(Delimiter(node: runNode, length: runs[r].length, canOpen: runs[r].open, canClose: runs[r].close))
                }
            }
            c = next
        }
        return out
    }
}
