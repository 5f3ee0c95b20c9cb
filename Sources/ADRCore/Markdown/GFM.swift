/// The Markdown stage as GitHub reads Markdown: CommonMark by cmark, then the steps of the GFM
/// extensions over the converted tree, each in its own file. A step whose trigger characters
/// do not occur in the text costs one scan of the text at most.
extension MarkdownDocument {
    /// The GFM extensions; all of them by default, as on GitHub.
    public struct Extensions: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let table = Extensions(rawValue: 1)
        public static let strikethrough = Extensions(rawValue: 2)
        public static let autolink = Extensions(rawValue: 4)
        public static let tasklist = Extensions(rawValue: 8)
        public static let footnotes = Extensions(rawValue: 16)
        public static let all: Extensions = [.table, .strikethrough, .autolink, .tasklist, .footnotes]
    }

    public static func parse(_ text: String, extensions: Extensions = .all) -> MarkdownDocument {
        var text = text
        return text.withUTF8 { parse(bytes: $0, extensions: extensions) }
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>, extensions: Extensions = .all) -> MarkdownDocument {
        var doc = CommonMark.convert(bytes)
        // Footnote definitions leave the source before it is parsed for good (FootnoteDefinitions).
        var section: Int32?
        if extensions.contains(.footnotes), FootnoteDefinitions.mayDefine(bytes),
           let found = FootnoteDefinitions.extract(bytes, tree: doc) {
            found.blanked.withUnsafeBufferPointer { blanked in
                doc = CommonMark.convert(blanked)
                if extensions.contains(.table) { TableStep.apply(to: &doc, source: blanked) }
            }
            section = Footnotes.graft(found, into: &doc)
        } else if extensions.contains(.table) {
            TableStep.apply(to: &doc, source: bytes)
        }
        let tasks = extensions.contains(.tasklist) && TaskList.mayHoldTasks(bytes)
        let urls = extensions.contains(.autolink) && Autolink.mayHoldURL(bytes)
        let tildes = extensions.contains(.strikethrough) && bytes.containsByte(UInt8(ascii: "~"))
        let emails = extensions.contains(.autolink) && bytes.containsByte(UInt8(ascii: "@"))
        guard tasks || urls || tildes || emails || section != nil else { return doc }
        let context = InlineContext(source: bytes)
        if tasks { TaskList.apply(to: &doc, lines: context.lines ?? SourceLines(bytes: bytes)) }
        if urls { Autolink.linkURLs(in: &doc, context: context) }
        if tildes { Strikethrough.apply(to: &doc, context: context) }
        if emails { Autolink.linkEmails(in: &doc) }
        if let section { Footnotes.resolve(in: &doc, section: section, context: context) }
        return doc
    }
}
