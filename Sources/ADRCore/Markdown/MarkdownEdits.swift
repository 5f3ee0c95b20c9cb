/// Edits the GFM steps make to a converted tree: new text, nodes put before or after others,
/// text nodes split and merged, runs of siblings wrapped in a new node. Indices of existing
/// nodes never change; a node taken out of the tree stays in `nodes`, unreachable.
extension MarkdownDocument {
    /// Copies bytes into the document's text.
    mutating func store<C: Collection<UInt8>>(_ bytes: C) -> TextRange {
        let start = Int32(text.count)
        text.append(contentsOf: bytes)
        return TextRange(start: start, count: Int32(text.count) - start)
    }

    /// Adds a node outside the tree.
    mutating func appendDetached(_ node: MarkdownNode) -> Int32 {
        var node = node
        node.parent = -1
        node.firstChild = -1
        node.lastChild = -1
        node.next = -1
        node.previous = -1
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    /// Puts a detached node right after `sibling`.
    mutating func insert(_ node: Int32, after sibling: Int32) {
        let parent = nodes[Int(sibling)].parent
        let next = nodes[Int(sibling)].next
        nodes[Int(node)].parent = parent
        nodes[Int(node)].previous = sibling
        nodes[Int(node)].next = next
        nodes[Int(sibling)].next = node
        if next >= 0 { nodes[Int(next)].previous = node } else if parent >= 0 { nodes[Int(parent)].lastChild = node }
    }

    /// Puts a detached node right before `sibling`.
    mutating func insert(_ node: Int32, before sibling: Int32) {
        let parent = nodes[Int(sibling)].parent
        let previous = nodes[Int(sibling)].previous
        nodes[Int(node)].parent = parent
        nodes[Int(node)].next = sibling
        nodes[Int(node)].previous = previous
        nodes[Int(sibling)].previous = node
        if previous >= 0 { nodes[Int(previous)].next = node } else if parent >= 0 { nodes[Int(parent)].firstChild = node }
    }

    /// Makes a detached node the last child of `parent`.
    mutating func appendChild(_ node: Int32, to parent: Int32) {
        let last = nodes[Int(parent)].lastChild
        nodes[Int(node)].parent = parent
        nodes[Int(node)].previous = last
        nodes[Int(node)].next = -1
        if last >= 0 { nodes[Int(last)].next = node } else { nodes[Int(parent)].firstChild = node }
        nodes[Int(parent)].lastChild = node
    }

    /// A new text node after `sibling` holding `range` of the document's text.
    @discardableResult
    mutating func insertText(_ range: TextRange, after sibling: Int32, line: Int32, column: Int32) -> Int32 {
        var node = MarkdownNode(kind: .text)
        node.literal = range
        node.line = line
        node.endLine = line
        node.column = column
        node.endColumn = column + max(range.count - 1, 0)
        let index = appendDetached(node)
        insert(index, after: sibling)
        return index
    }

    /// Splits text node `node` at byte `offset` of its literal; returns the node that holds the
    /// rest (the original keeps the start). Both keep the line; the rest's column moves by `offset`.
    mutating func split(_ node: Int32, at offset: Int32) -> Int32 {
        let literal = nodes[Int(node)].literal
        nodes[Int(node)].literal.count = offset
        let rest = TextRange(start: literal.start + offset, count: literal.count - offset)
        return insertText(rest, after: node, line: nodes[Int(node)].line, column: nodes[Int(node)].column + offset)
    }

    /// Moves the siblings `first` through `last` into `wrapper` (a detached node), which takes
    /// their place.
    mutating func wrap(_ first: Int32, through last: Int32, in wrapper: Int32) {
        insert(wrapper, before: first)
        var c = first
        while true {
            let next = nodes[Int(c)].next
            unlink(c)
            appendChild(c, to: wrapper)
            if c == last { break }
            c = next
        }
    }

    /// Joins runs of adjacent text children of `parent` into one node each, as cmark does, so
    /// that the steps after see the text as cmark-gfm's steps would.
    mutating func mergeText(in parent: Int32) {
        var c = nodes[Int(parent)].firstChild
        while c >= 0 {
            var next = nodes[Int(c)].next
            if nodes[Int(c)].kind == .text && next >= 0 && nodes[Int(next)].kind == .text {
                var bytes = Array(self.bytes(nodes[Int(c)].literal))
                while next >= 0 && nodes[Int(next)].kind == .text {
                    bytes += self.bytes(nodes[Int(next)].literal)
                    let after = nodes[Int(next)].next
                    unlink(next)
                    next = after
                }
                nodes[Int(c)].literal = store(bytes)
            }
            c = next
        }
    }
}
