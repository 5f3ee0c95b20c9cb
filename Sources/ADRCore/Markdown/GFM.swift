/// The Markdown stage as GitHub reads Markdown: CommonMark by cmark, then the steps of the GFM
/// extensions over the converted tree (tables).
extension MarkdownDocument {
    public static func parse(_ text: String) -> MarkdownDocument {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> MarkdownDocument {
        var doc = CommonMark.convert(bytes)
        TableStep.apply(to: &doc, source: bytes)
        return doc
    }
}
