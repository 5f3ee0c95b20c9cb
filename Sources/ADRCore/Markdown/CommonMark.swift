import CCmark
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place that talks to libcmark. Every function here converts what it needs into Swift
/// values and frees every cmark object before it returns.
public enum CommonMark {
    /// Version of the libcmark the program runs with.
    public static var version: String { String(cString: cmark_version_string()) }

    /// cmark's tree of `bytes` as a `MarkdownDocument` (plain CommonMark: no GFM steps). Top-level
    /// blocks from line `stopLine` on are left out.
    static func convert(_ bytes: UnsafeBufferPointer<UInt8>, stopLine: Int32 = .max) -> MarkdownDocument {
        guard let base = bytes.baseAddress,
              let doc = cmark_parse_document(base, bytes.count, CMARK_OPT_DEFAULT) else {
            return MarkdownDocument()
        }
        defer { cmark_node_free(doc) }
        guard let iter = cmark_iter_new(doc) else { return MarkdownDocument() }
        defer { cmark_iter_free(iter) }

        var builder = MarkdownDocument(reserve: bytes.count / 24, textCapacity: bytes.count)
        var stack: [Int32] = [MarkdownDocument.root]
        while true {
            let event = cmark_iter_next(iter)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iter) else { continue }
            let type = cmark_node_get_type(node)
            if type == CMARK_NODE_DOCUMENT {
                if event == CMARK_EVENT_ENTER { builder.nodes[0].endLine = cmark_node_get_end_line(node) }
                continue
            }
            let isContainer = type != CMARK_NODE_TEXT && type != CMARK_NODE_SOFTBREAK
                && type != CMARK_NODE_LINEBREAK && type != CMARK_NODE_CODE
                && type != CMARK_NODE_HTML_INLINE && type != CMARK_NODE_CODE_BLOCK
                && type != CMARK_NODE_HTML_BLOCK && type != CMARK_NODE_THEMATIC_BREAK
            if event == CMARK_EVENT_EXIT {
                if isContainer { stack.removeLast() }
                continue
            }
            let parent = stack[stack.count - 1]
            if parent == MarkdownDocument.root && cmark_node_get_start_line(node) >= stopLine { break }
            let index = builder.append(swiftNode(node, type: type, builder: &builder), to: parent)
            if isContainer { stack.append(index) }
        }
        return builder
    }

    private static func swiftNode(_ node: OpaquePointer, type: cmark_node_type, builder: inout MarkdownDocument) -> MarkdownNode {
        var out: MarkdownNode
        switch type {
        case CMARK_NODE_BLOCK_QUOTE: out = MarkdownNode(kind: .blockQuote)
        case CMARK_NODE_LIST:
            out = MarkdownNode(kind: .list)
            if cmark_node_get_list_type(node) == CMARK_ORDERED_LIST { out.level = 1 }
            out.start = Int32(cmark_node_get_list_start(node))
            out.tight = cmark_node_get_list_tight(node) != 0
        case CMARK_NODE_ITEM: out = MarkdownNode(kind: .item)
        case CMARK_NODE_CODE_BLOCK:
            out = MarkdownNode(kind: .codeBlock)
            out.literal = builder.store(cmark_node_get_literal(node))
            out.url = builder.store(cmark_node_get_fence_info(node))
        case CMARK_NODE_HTML_BLOCK:
            out = MarkdownNode(kind: .htmlBlock)
            out.literal = builder.store(cmark_node_get_literal(node))
        case CMARK_NODE_CUSTOM_BLOCK: out = MarkdownNode(kind: .customBlock)
        case CMARK_NODE_PARAGRAPH: out = MarkdownNode(kind: .paragraph)
        case CMARK_NODE_HEADING:
            out = MarkdownNode(kind: .heading)
            out.level = Int8(cmark_node_get_heading_level(node))
        case CMARK_NODE_THEMATIC_BREAK: out = MarkdownNode(kind: .thematicBreak)
        case CMARK_NODE_TEXT:
            out = MarkdownNode(kind: .text)
            out.literal = builder.store(cmark_node_get_literal(node))
        case CMARK_NODE_SOFTBREAK: out = MarkdownNode(kind: .softBreak)
        case CMARK_NODE_LINEBREAK: out = MarkdownNode(kind: .lineBreak)
        case CMARK_NODE_CODE:
            out = MarkdownNode(kind: .code)
            out.literal = builder.store(cmark_node_get_literal(node))
        case CMARK_NODE_HTML_INLINE:
            out = MarkdownNode(kind: .htmlInline)
            out.literal = builder.store(cmark_node_get_literal(node))
        case CMARK_NODE_CUSTOM_INLINE: out = MarkdownNode(kind: .customInline)
        case CMARK_NODE_EMPH: out = MarkdownNode(kind: .emphasis)
        case CMARK_NODE_STRONG: out = MarkdownNode(kind: .strong)
        case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
            out = MarkdownNode(kind: type == CMARK_NODE_LINK ? .link : .image)
            out.url = builder.store(cmark_node_get_url(node))
            out.title = builder.store(cmark_node_get_title(node))
        default:
            out = MarkdownNode(kind: .customBlock)
        }
        out.line = cmark_node_get_start_line(node)
        out.column = cmark_node_get_start_column(node)
        out.endLine = cmark_node_get_end_line(node)
        out.endColumn = cmark_node_get_end_column(node)
        return out
    }

    // MARK: - Questions the GFM steps ask cmark

    /// Whether `bytes` parse to a document with no block at all (only link reference definitions
    /// or blank lines).
    static func holdsNoBlock(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress,
              let doc = cmark_parse_document(base, bytes.count, CMARK_OPT_DEFAULT) else { return false }
        defer { cmark_node_free(doc) }
        return cmark_node_first_child(doc) == nil
    }

    /// Whether the first block of `bytes` is something other than a paragraph.
    static func startsWithOtherBlock(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress,
              let doc = cmark_parse_document(base, bytes.count, CMARK_OPT_DEFAULT) else { return false }
        defer { cmark_node_free(doc) }
        guard let block = cmark_node_first_child(doc) else { return false }
        return cmark_node_get_type(block) != CMARK_NODE_PARAGRAPH
    }

    /// For each top-level paragraph that starts before `beforeLine` and whose first inline is a
    /// link: its line, destination and title.
    static func leadingLinks(_ bytes: [UInt8], beforeLine: Int) -> [(line: Int, url: String, title: String)] {
        bytes.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress,
                  let doc = cmark_parse_document(base, bytes.count, CMARK_OPT_DEFAULT) else { return [] }
            defer { cmark_node_free(doc) }
            var out: [(line: Int, url: String, title: String)] = []
            var block = cmark_node_first_child(doc)
            while let paragraph = block, Int(cmark_node_get_start_line(paragraph)) < beforeLine {
                block = cmark_node_next(paragraph)
                guard cmark_node_get_type(paragraph) == CMARK_NODE_PARAGRAPH,
                      let link = cmark_node_first_child(paragraph), cmark_node_get_type(link) == CMARK_NODE_LINK
                else { continue }
                out.append((Int(cmark_node_get_start_line(paragraph)),
                            cmark_node_get_url(link).map { String(cString: $0) } ?? "",
                            cmark_node_get_title(link).map { String(cString: $0) } ?? ""))
            }
            return out
        }
    }

    /// cmark's own HTML rendering of `text` (safe mode unless `unsafe`). The project's renderer
    /// is tested against it.
    public static func referenceHTML(_ text: String, unsafe: Bool = false) -> String {
        var text = text
        return text.withUTF8 { bytes -> String in
            let options = unsafe ? CMARK_OPT_UNSAFE : CMARK_OPT_DEFAULT
            guard let base = bytes.baseAddress,
                  let doc = cmark_parse_document(base, bytes.count, options) else { return "" }
            defer { cmark_node_free(doc) }
            guard let html = cmark_render_html(doc, options) else { return "" }
            defer { free(html) }
            return String(cString: html)
        }
    }
}
