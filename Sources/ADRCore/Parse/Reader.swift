/// Reads one document as a careful reader would. Kept as a value with the state the rules share;
/// `Reader+Blocks.swift` reads the body's blocks, `Reader+Metadata.swift` front matter, the
/// follow-ups and where the status and date come from.
struct Reader {
    let path: String
    let doc: MarkdownDocument
    let frontMatter: FrontMatter?
    let fileInfo: FileNameInfo
    /// The file name without extension (the folder's name for `slug/README.md`).
    let stem: String
    var diagnostics: [Diagnostic] = []
    var result: ParsedDecision

    /// The heading (or `#Title` paragraph) that gave the title: the page shows it apart.
    var titleNode: Int32?
    /// Blocks before the first section that hold only metadata lines the page header shows.
    var metadataNodes: [Int32] = []
    /// The heading node of each of `result.sections`, and the item of each follow-up.
    var sectionNodes: [Int32] = []
    var followUpNodes: [Int32] = []
    /// Each link and image node, by its index in `result.links`.
    var linkIndex: [Int32: Int32] = [:]

    /// Statuses, dates, deciders and tags found in the body, first in document order wins.
    var bodyStatus: (String, Int)?
    var bodyDate: (Dates.Found, Int, Int)?
    var statusDate: (Dates.Found, Int, Int)?
    var bodyDeciders: [String]?
    var bodyTags: [String]?
    /// Paragraphs made only of `Key: value` metadata lines.
    var metadataBlocks: [Int32] = []
    /// The storage of the inline run being read (see `scanRun`).
    var runStorage = InlineRun()
    /// The text of each top-level heading, read once.
    var headingText: [Int32: String] = [:]

    init(path: String, document: MarkdownDocument, frontMatter: FrontMatter?) {
        self.path = path
        self.doc = document
        self.frontMatter = frontMatter
        let name = Paths.lastComponent(path)
        var stem = Paths.stripExtension(name)
        var category = Paths.parent(path)
        if Paths.isFolderIndex(name) && !category.isEmpty {
            // Folder-per-decision: the folder names the decision.
            stem = Paths.lastComponent(category)
            category = Paths.parent(category)
        }
        self.fileInfo = FileNames.info(stem)
        self.result = ParsedDecision(source: path, category: category, number: fileInfo.number, title: "")
        self.stem = stem
    }

    mutating func read() {
        readLinks()
        readHeadings()
        readTitle()
        readBlocks()
        readFrontMatter()
        readFollowUps()
        resolveDateAndStatus()
    }

    /// Every link and image of the body, in document order, and the ids raw HTML gives.
    mutating func readLinks() {
        for n in doc.descendants(of: MarkdownDocument.root) {
            let node = doc[n]
            switch node.kind {
            case .link, .image:
                linkIndex[n] = Int32(result.links.count)
                result.links.append(LinkSite(url: doc.url(n), title: doc.title(n), line: Int(node.line),
                                             column: Int(node.column), isImage: node.kind == .image))
            case .htmlInline, .htmlBlock:
                result.htmlAnchors += HTMLLinks.ids(in: doc.literal(n))
            default:
                break
            }
        }
    }

    // MARK: - Headings and title

    /// What a heading says its section is (`Conventions.sectionRole`).
    func role(of heading: Int32) -> Conventions.SectionRole {
        Conventions.sectionRole(headingText[heading] ?? doc.plainText(of: heading))
    }

    mutating func readHeadings() {
        var anchors = AnchorSet()
        for n in doc.children(of: MarkdownDocument.root) where doc[n].kind == .heading {
            let node = doc[n]
            let text = doc.plainText(of: n).trimmingCharacters(in: " \t")
            headingText[n] = text
            result.sections.append(Section(title: text, level: Int(node.level), line: Int(node.line),
                                           anchor: anchors.unique(Slug.make(text))))
            sectionNodes.append(n)
        }
    }

    mutating func readTitle() {
        var title: String?
        var titleLine = 1
        if let entry = frontMatter?.entry("title"), let t = entry.value.string?.trimmingCharacters(in: " \t"), !t.isEmpty {
            // A title that repeats the number (`title: 'ADR012: Title'`) loses it, as a heading does.
            let (stripped, titleNumber) = titleWithoutNumber(t)
            title = stripped.isEmpty ? t : stripped
            titleLine = entry.line
            checkNumber(titleNumber, line: entry.line, column: 1)
        }
        // The first H1; a first line like `#46. Title` (no space after #) is read as one, too.
        var headingNode: Int32?
        for n in doc.children(of: MarkdownDocument.root) {
            let node = doc[n]
            if node.kind == .heading && node.level == 1 { headingNode = n; break }
        }
        if headingNode == nil, let first = doc.children(of: MarkdownDocument.root).first(where: { _ in true }) {
            let node = doc[first]
            if node.kind == .heading && !role(of: first).contains(.standard) {
                // A file that starts with `## Title`; but `## Status` or `## Context` is no title.
                headingNode = first
            } else if node.kind == .paragraph {
                let text = doc.plainText(of: first)
                let firstLine = text.prefix { $0 != "\n" }
                if firstLine.hasPrefix("#"), let c = firstLine.dropFirst().first, c != "#", c != " " {
                    diagnostics.append(.warning(path, line: Int(node.line), column: Int(node.column),
                                                "`\(firstLine.prefix(8))…` is not a heading: put a space after `#`; read as the title"))
                    if title == nil {
                        let (stripped, headingNumber) = titleWithoutNumber(String(firstLine.dropFirst()))
                        title = stripped
                        titleLine = Int(node.line)
                        checkNumber(headingNumber, line: Int(node.line), column: Int(node.column))
                    }
                    titleNode = first
                }
            }
        }
        if let h = headingNode {
            titleNode = h
            if title == nil {
                // Only the part of the heading before a line break, with inline syntax reduced to text.
                let (stripped, headingNumber) = titleWithoutNumber(headingText[h] ?? doc.plainText(of: h).trimmingCharacters(in: " \t"))
                title = stripped
                titleLine = Int(doc[h].line)
                checkNumber(headingNumber, line: Int(doc[h].line), column: Int(doc[h].column))
            }
            if let k = sectionNodes.firstIndex(of: h) {
                sectionNodes.remove(at: k)
                result.sections.remove(at: k)
            }
        }
        if let t = title, !t.isEmpty {
            result.title = t
            // Every page that names the decision shows its title: a title of a megabyte would be
            // copied into each of them.
            let count = t.count
            if count > Reader.longestTitle {
                result.title = String(t.prefix(Reader.longestTitle)) + "…"
                diagnostics.append(.warning(path, line: titleLine, column: 1,
                                            "title is \(count) characters long; shown cut after \(Reader.longestTitle)"))
            }
        } else {
            result.title = FileNames.words(stem)
            diagnostics.append(.warning(path, line: titleLine, column: 1,
                                        "no title (no `title` in front matter and no `# heading`); using the file name"))
        }
    }

    /// A title without the number (or a template's placeholder for it) it starts with.
    func titleWithoutNumber(_ title: String) -> (title: String, number: Int?) {
        let (stripped, number) = TitleRules.stripNumber(title)
        if number != nil { return (stripped, number) }
        return (TitleRules.stripPlaceholder(title, fileHasNumber: fileInfo.number != nil), nil)
    }

    /// The longest title shown whole.
    static let longestTitle = 300

    mutating func checkNumber(_ headingNumber: Int?, line: Int, column: Int) {
        guard let headingNumber, let fileNumber = fileInfo.number, headingNumber != fileNumber else { return }
        diagnostics.append(.warning(path, line: line, column: column,
                                    "heading says number \(headingNumber) but the file name says \(fileNumber); using \(fileNumber)"))
    }
}
