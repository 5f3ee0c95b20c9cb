/// A Markdown document as plain Swift values: cmark's tree, converted once and then freed (see
/// `CommonMark.swift`), plus the nodes the GFM steps add (tables, strikethrough, autolinks, task
/// list items, footnotes).
///
/// Nodes live in one flat array and point at each other by index; their text (literals,
/// destinations, titles, info strings) lives in one byte buffer per document, as ranges. A node
/// holds no reference, so walking and copying nodes costs no reference counting. `nodes[0]` is
/// the document.
public struct MarkdownDocument: Sendable {
    public var nodes: [MarkdownNode]
    /// The bytes every `TextRange` of the nodes points into.
    public var text: [UInt8]

    public init(nodes: [MarkdownNode] = [MarkdownNode(kind: .document)], text: [UInt8] = []) {
        self.nodes = nodes
        self.text = text
    }

    public static let root: Int32 = 0

    public subscript(_ index: Int32) -> MarkdownNode { nodes[Int(index)] }

    /// The bytes of a range of `text`.
    public func bytes(_ range: TextRange) -> ArraySlice<UInt8> {
        text[Int(range.start)..<Int(range.start + range.count)]
    }

    /// The text of a range as a string.
    public func string(_ range: TextRange) -> String {
        range.count == 0 ? "" : String(decoding: bytes(range), as: UTF8.self)
    }

    /// Text of text, code and HTML nodes and of code blocks.
    public func literal(_ index: Int32) -> String { string(nodes[Int(index)].literal) }
    /// Destination of a link or image; info string of a fenced code block.
    public func url(_ index: Int32) -> String { string(nodes[Int(index)].url) }
    /// Title of a link or image.
    public func title(_ index: Int32) -> String { string(nodes[Int(index)].title) }

    /// The children of a node, in order.
    public func children(of index: Int32) -> ChildSequence {
        ChildSequence(nodes: nodes, first: nodes[Int(index)].firstChild)
    }

    public struct ChildSequence: Sequence, IteratorProtocol {
        let nodes: [MarkdownNode]
        var current: Int32
        init(nodes: [MarkdownNode], first: Int32) {
            self.nodes = nodes
            self.current = first
        }
        public mutating func next() -> Int32? {
            guard current >= 0 else { return nil }
            defer { current = nodes[Int(current)].next }
            return current
        }
    }

    /// Every node below `index` (not including it), in document order.
    public func descendants(of index: Int32) -> [Int32] {
        var out: [Int32] = []
        var stack: [Int32] = []
        var child = nodes[Int(index)].lastChild
        while child >= 0 { stack.append(child); child = nodes[Int(child)].previous }
        while let n = stack.popLast() {
            out.append(n)
            var c = nodes[Int(n)].lastChild
            while c >= 0 { stack.append(c); c = nodes[Int(c)].previous }
        }
        return out
    }

    /// The text a reader sees in a node: literals of text and code, link text, image alt text;
    /// line breaks become spaces and raw HTML is dropped.
    public func plainText(of index: Int32) -> String {
        var out: [UInt8] = []
        appendPlainText(of: index, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func appendPlainText(of index: Int32, to out: inout [UInt8]) {
        // Iterative: documents nest lists and quotes as deep as anyone likes, and this runs on
        // worker threads with small stacks.
        var stack: [(node: Int32, first: Bool)] = [(index, true)]
        while let (n, first) = stack.popLast() {
            let node = nodes[Int(n)]
            if !first && node.kind.isBlock && !out.isEmpty && out.last != 0x20 { out.append(0x20) }
            switch node.kind {
            case .text, .code, .codeBlock:
                out.append(contentsOf: bytes(node.literal))
            case .softBreak, .lineBreak:
                out.append(0x20)
            case .htmlInline, .htmlBlock:
                break
            default:
                // Children in order: push them last to first.
                var c = node.lastChild
                while c >= 0 {
                    stack.append((c, nodes[Int(c)].previous < 0))
                    c = nodes[Int(c)].previous
                }
            }
        }
    }

    /// The nearest ancestor of a given kind.
    public func ancestor(of index: Int32, kind: MarkdownNode.Kind) -> Int32? {
        var p = nodes[Int(index)].parent
        while p >= 0 {
            if nodes[Int(p)].kind == kind { return p }
            p = nodes[Int(p)].parent
        }
        return nil
    }

    /// Removes a node from its parent's children.
    mutating func unlink(_ index: Int32) {
        let node = nodes[Int(index)]
        if node.previous >= 0 { nodes[Int(node.previous)].next = node.next }
        else if node.parent >= 0 { nodes[Int(node.parent)].firstChild = node.next }
        if node.next >= 0 { nodes[Int(node.next)].previous = node.previous }
        else if node.parent >= 0 { nodes[Int(node.parent)].lastChild = node.previous }
        nodes[Int(index)].parent = -1
        nodes[Int(index)].next = -1
        nodes[Int(index)].previous = -1
    }
}

/// A range of a document's `text`.
public struct TextRange: Sendable, Hashable {
    public var start: Int32
    public var count: Int32
    public static let empty = TextRange(start: 0, count: 0)
    public var isEmpty: Bool { count == 0 }
}

public struct MarkdownNode: Sendable {
    public enum Kind: UInt8, Sendable {
        case document, blockQuote, list, item, codeBlock, htmlBlock, customBlock, paragraph, heading,
             thematicBreak
        case table, tableHead, tableRow, tableCell
        /// The footnotes of a document, at its end (cmark-gfm's `<section class="footnotes">`),
        /// and one footnote: `literal` is its label as defined, `start` its number, `count` how
        /// many references it has.
        case footnoteSection, footnoteDefinition
        case text, softBreak, lineBreak, code, htmlInline, customInline, emphasis, strong, link, image
        /// `~text~` and `~~text~~`.
        case strikethrough
        /// `[^label]`: `literal` is the label of the definition it refers to, `start` the
        /// footnote's number, `count` which of the footnote's references it is (1 for the first).
        case footnoteReference

        public var isBlock: Bool { rawValue <= Kind.footnoteDefinition.rawValue }
    }

    /// Column alignment of a table cell.
    public enum Alignment: UInt8, Sendable { case none, left, center, right }

    public var kind: Kind
    /// Heading level; for lists 1 when ordered; for list items the task state (see `task`); for
    /// links 1 when the autolink extension found them in text.
    public var level: Int8 = 0
    public var tight: Bool = false
    public var alignment: Alignment = .none
    public var parent: Int32 = -1
    public var firstChild: Int32 = -1
    public var lastChild: Int32 = -1
    public var next: Int32 = -1
    public var previous: Int32 = -1
    /// Source position (1-based line and byte column), as cmark reports it.
    public var line: Int32 = 0
    public var column: Int32 = 0
    public var endLine: Int32 = 0
    public var endColumn: Int32 = 0
    /// Text of text, code and HTML nodes and of code blocks.
    public var literal = TextRange.empty
    /// Destination of links and images; info string of fenced code blocks.
    public var url = TextRange.empty
    /// Title of links and images.
    public var title = TextRange.empty
    /// Start number of an ordered list; a footnote's number.
    public var start: Int32 = 0
    /// Footnotes: how many references a definition has, or which one a reference is.
    public var count: Int32 = 0

    public init(kind: Kind) { self.kind = kind }

    public var isOrderedList: Bool { kind == .list && level == 1 }

    /// Whether a list item is a task list item (`- [ ] x`, `- [x] x`), and whether it is checked.
    public enum TaskState: Int8, Sendable { case none = 0, unchecked = 1, checked = 2 }

    public var task: TaskState {
        get { kind == .item ? TaskState(rawValue: level) ?? .none : .none }
        set { level = newValue.rawValue }
    }

    /// A link the autolink extension made from a bare URL or e-mail address.
    public var isExtendedAutolink: Bool { kind == .link && level == 1 }
}

/// Building a document node by node, keeping the sibling links consistent (the edits of the
/// GFM steps are in MarkdownEdits.swift).
extension MarkdownDocument {
    /// An empty document with room for `reserve` nodes and `textCapacity` bytes of text.
    init(reserve: Int, textCapacity: Int) {
        self.init()
        nodes.reserveCapacity(reserve)
        text.reserveCapacity(textCapacity)
    }

    @discardableResult
    mutating func append(_ node: MarkdownNode, to parent: Int32) -> Int32 {
        var node = node
        let index = Int32(nodes.count)
        node.parent = parent
        node.firstChild = -1
        node.lastChild = -1
        node.next = -1
        let last = nodes[Int(parent)].lastChild
        node.previous = last
        nodes.append(node)
        if last >= 0 {
            nodes[Int(last)].next = index
        } else {
            nodes[Int(parent)].firstChild = index
        }
        nodes[Int(parent)].lastChild = index
        return index
    }

    /// Copies a C string into the document's text.
    mutating func store(_ pointer: UnsafePointer<CChar>?) -> TextRange {
        guard let pointer else { return .empty }
        let length = strlen(pointer)
        guard length > 0 else { return .empty }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            store(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// Puts the children of `holder` (a detached node) where `node` is in the tree; `node` and
    /// what is below it are left out.
    mutating func replace(_ node: Int32, withChildrenOf holder: Int32) {
        let old = nodes[Int(node)]
        let first = nodes[Int(holder)].firstChild, last = nodes[Int(holder)].lastChild
        var c = first
        while c >= 0 {
            nodes[Int(c)].parent = old.parent
            c = nodes[Int(c)].next
        }
        let before = first >= 0 ? first : old.next, after = last >= 0 ? last : old.previous
        if first >= 0 { nodes[Int(first)].previous = old.previous }
        if last >= 0 { nodes[Int(last)].next = old.next }
        if old.previous >= 0 { nodes[Int(old.previous)].next = before } else { nodes[Int(old.parent)].firstChild = before }
        if old.next >= 0 { nodes[Int(old.next)].previous = after } else { nodes[Int(old.parent)].lastChild = after }
        nodes[Int(node)].parent = -1
        nodes[Int(node)].next = -1
        nodes[Int(node)].previous = -1
        nodes[Int(holder)].firstChild = -1
        nodes[Int(holder)].lastChild = -1
    }

    /// Copies the subtree under `index` of another document below `parent`, with its text,
    /// moving each source position to the line and column offset that `position` gives for
    /// its line.
    mutating func graft(childrenOf index: Int32, from other: MarkdownDocument, to parent: Int32,
                        position: (Int32) -> (line: Int32, columnOffset: Int32)) {
        // Each node's own text is copied (not the other document's whole text: the cells of a
        // table share one document, and each is grafted on its own).
        func moved(_ r: TextRange) -> TextRange { r.count == 0 ? .empty : store(other.bytes(r)) }
        // Iterative, in document order: lists, quotes and emphasis nest as deep as anyone likes,
        // and this runs on worker threads with small stacks.
        var stack: [(child: Int32, parent: Int32)] = []
        var c = other[index].lastChild
        while c >= 0 { stack.append((c, parent)); c = other[c].previous }
        while let (child, to) = stack.popLast() {
            var node = other[child]
            if node.line > 0 {
                let (line, shift) = position(node.line)
                node.line = line
                node.column += shift
            }
            if node.endLine > 0 {
                let (line, shift) = position(node.endLine)
                node.endLine = line
                node.endColumn += shift
            }
            node.literal = moved(node.literal)
            node.url = moved(node.url)
            node.title = moved(node.title)
            let copy = append(node, to: to)
            var g = other[child].lastChild
            while g >= 0 { stack.append((g, copy)); g = other[g].previous }
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
