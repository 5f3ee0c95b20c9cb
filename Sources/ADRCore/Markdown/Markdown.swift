/// A Markdown document as plain Swift values: the cmark tree, converted once and then freed
/// (see `CommonMark.swift`), plus the table nodes that the GFM table step adds.
///
/// Nodes live in one flat array and point at each other by index, which keeps a parsed log
/// compact and cheap to walk; `nodes[0]` is the document.
public struct MarkdownDocument: Sendable {
    public var nodes: [MarkdownNode]

    public init(nodes: [MarkdownNode]) { self.nodes = nodes }

    public static let root: Int32 = 0

    public subscript(_ index: Int32) -> MarkdownNode { nodes[Int(index)] }

    /// The children of a node, in order.
    public func children(of index: Int32) -> ChildSequence {
        ChildSequence(document: self, first: nodes[Int(index)].firstChild)
    }

    public struct ChildSequence: Sequence, IteratorProtocol {
        let document: MarkdownDocument
        var current: Int32
        init(document: MarkdownDocument, first: Int32) {
            self.document = document
            self.current = first
        }
        public mutating func next() -> Int32? {
            guard current >= 0 else { return nil }
            defer { current = document.nodes[Int(current)].next }
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
        var out = ""
        appendPlainText(of: index, to: &out)
        return out
    }

    public func appendPlainText(of index: Int32, to out: inout String) {
        // Iterative: documents nest lists and quotes as deep as anyone likes, and this runs on
        // worker threads with small stacks.
        var stack: [(node: Int32, first: Bool)] = [(index, true)]
        while let (n, first) = stack.popLast() {
            let kind = nodes[Int(n)].kind
            if !first && kind.isBlock && !out.isEmpty && out.last != " " { out += " " }
            switch kind {
            case .text, .code, .codeBlock:
                out += nodes[Int(n)].literal
            case .softBreak, .lineBreak:
                out += " "
            case .htmlInline, .htmlBlock:
                break
            default:
                // Children in order: push them last to first.
                var c = nodes[Int(n)].lastChild
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
}

public struct MarkdownNode: Sendable {
    public enum Kind: UInt8, Sendable {
        case document, blockQuote, list, item, codeBlock, htmlBlock, customBlock, paragraph, heading,
             thematicBreak
        case table, tableHead, tableRow, tableCell
        case text, softBreak, lineBreak, code, htmlInline, customInline, emphasis, strong, link, image

        public var isBlock: Bool { rawValue <= Kind.tableCell.rawValue }
    }

    /// Column alignment of a table cell.
    public enum Alignment: UInt8, Sendable { case none, left, center, right }

    // Stored fields in this order, small ones first, make a node 64 bytes: a document holds
    // many, and every decision's document lives until its page is written.
    public var kind: Kind
    /// Heading level; for lists 1 when ordered; for code blocks 1 when fenced.
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
    /// Text of text/code/html nodes and code blocks.
    public var literal: String = ""
    /// Destination of links and images; info string of fenced code blocks.
    public var url: String {
        get { extra?.url ?? "" }
        set { setExtra(url: newValue, title: title, start: start) }
    }
    public var title: String {
        get { extra?.title ?? "" }
        set { setExtra(url: url, title: newValue, start: start) }
    }
    /// Start number of an ordered list.
    public var start: Int32 {
        get { extra?.start ?? 0 }
        set { setExtra(url: url, title: title, start: newValue) }
    }
    /// Destination, title and list start, held apart: most nodes have none of them (8 bytes
    /// here instead of 40).
    private var extra: NodeExtra?

    private mutating func setExtra(url: String, title: String, start: Int32) {
        extra = url.isEmpty && title.isEmpty && start == 0 ? nil : NodeExtra(url: url, title: title, start: start)
    }

    public init(kind: Kind) { self.kind = kind }

    public var isOrderedList: Bool { kind == .list && level == 1 }
}

/// The destination and title of a link, image or code block, and the start of an ordered list.
final class NodeExtra: Sendable {
    let url: String
    let title: String
    let start: Int32
    init(url: String, title: String, start: Int32) {
        self.url = url
        self.title = title
        self.start = start
    }
}

/// Builds a `MarkdownDocument` node by node, keeping the sibling links consistent.
struct MarkdownBuilder {
    var nodes: [MarkdownNode] = []

    init(reserve: Int = 0) {
        nodes.reserveCapacity(reserve)
        nodes.append(MarkdownNode(kind: .document))
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

    var document: MarkdownDocument { MarkdownDocument(nodes: nodes) }
}
