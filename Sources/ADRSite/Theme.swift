import ADRCore
import Foundation
import Mustache

/// The templates and static files pages are rendered with: the default theme compiled into the
/// binary, with a team's files laid over it file by file.
public struct Theme: Sendable {
    /// Where a theme file came from: `default` or the path of the overriding file.
    public struct File: Sendable {
        public var name: String
        public var text: String
        public var origin: String
    }

    public private(set) var files: [String: File] = [:]
    /// The templates' texts by name (file name without `.mustache`).
    private var templateTexts: [String: String] = [:]
    /// swift-mustache's library of every template: the reference. Made only when pages are
    /// rendered with it (a template uses what the compiled form does not have, or a test).
    private var reference: MustacheLibrary?
    /// The same templates compiled for speed; nil when one of them uses a feature only
    /// swift-mustache renders (then swift-mustache renders every page).
    private(set) var compiled: TemplateRenderer?
    /// Names of the files taken from override folders, sorted.
    public private(set) var overridden: [String] = []
    /// Extra files from `assets/` of an override folder, copied into the site's `assets/`:
    /// the name under `assets/`, and where to copy it from.
    public private(set) var extraAssets: [(name: String, relative: String, tree: FileRules.Tree)] = []

    /// A theme with no templates, for computations that render nothing.
    static let empty = Theme()

    /// The default theme, from the top-level templates/ folder, embedded at build time.
    public static let defaults: [String: [UInt8]] = [
        "head.mustache": PackageResources.head_mustache,
        "header.mustache": PackageResources.header_mustache,
        "footer.mustache": PackageResources.footer_mustache,
        "badge.mustache": PackageResources.badge_mustache,
        "followup-state.mustache": PackageResources.followup_state_mustache,
        "index.mustache": PackageResources.index_mustache,
        "decision.mustache": PackageResources.decision_mustache,
        "follow-ups.mustache": PackageResources.follow_ups_mustache,
        "not-found.mustache": PackageResources.not_found_mustache,
        "feed.mustache": PackageResources.feed_mustache,
        "sitemap.mustache": PackageResources.sitemap_mustache,
        "badge-svg.mustache": PackageResources.badge_svg_mustache,
        "style.css": PackageResources.style_css,
        "site.js": PackageResources.site_js,
        "search.js": PackageResources.search_js,
        "diagrams.js": PackageResources.diagrams_js,
    ]

    /// The default theme with the files of `overrides` (in order, later folders win) laid over it.
    /// Each template is registered with the name of its file minus `.mustache`. Every file is
    /// read by `FileRules`: inside its folder (no symbolic link out of it), regular, at most
    /// `FileRules.templateLimit` bytes.
    public static func load(overrides: [String] = []) throws -> Theme {
        var theme = withDefaults()
        for directory in overrides {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw TemplateError(file: directory, line: 1, column: 1, message: "templates folder does not exist")
            }
            let tree = FileRules.Tree(directory, name: "the templates folder")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = tree.path(of: name)
                if name == "assets" {
                    try theme.addAssets(tree)
                    continue
                }
                guard defaults[name] != nil || name.hasSuffix(".mustache") else { continue }
                switch FileRules.read(name, in: tree, limit: FileRules.templateLimit) {
                case .success(let file):
                    theme.files[name] = File(name: name, text: String(decoding: file.bytes, as: UTF8.self), origin: path)
                case .failure(let problem):
                    throw TemplateError(file: path, line: 1, column: 1, message: problem.message)
                }
                if !theme.overridden.contains(name) { theme.overridden.append(name) }
            }
        }
        theme.overridden.sort()
        try theme.compile()
        return theme
    }

    /// The default theme with templates given as text (file name → text) laid over it, each
    /// named by its file name in errors: for the fuzzer and the tests.
    static func make(templates: [String: String]) throws -> Theme {
        var theme = withDefaults()
        for (name, text) in templates {
            theme.files[name] = File(name: name, text: text, origin: name)
            theme.overridden.append(name)
        }
        theme.overridden.sort()
        try theme.compile()
        return theme
    }

    private static func withDefaults() -> Theme {
        var theme = Theme()
        for (name, bytes) in defaults {
            theme.files[name] = File(name: name, text: String(decoding: bytes, as: UTF8.self), origin: "default")
        }
        return theme
    }

    /// Files of `assets/` (also in subfolders) go to the site's `assets/`, except where the site
    /// writes its own (style.css and site.js are overridden by files of those names beside the
    /// templates).
    private mutating func addAssets(_ tree: FileRules.Tree) throws {
        let listed = FileRules.files(under: "assets", in: tree)
        if let (path, problem) = listed.problems.first {
            throw TemplateError(file: tree.path(of: "assets/" + path), line: 1, column: 1, message: problem.message)
        }
        for asset in listed.files where !GeneratedPaths.fixed.contains("assets/" + asset) {
            extraAssets.removeAll { $0.name == asset }
            extraAssets.append((asset, "assets/" + asset, tree))
        }
        extraAssets.sort { $0.name < $1.name }
    }

    /// The extra files of `assets/`, to be copied into the site by `SiteWriter` (which reads
    /// them by the same rules).
    public var assetFiles: [OutputFile] {
        extraAssets.map { OutputFile(path: "assets/" + $0.name, copyFrom: $0.relative, in: $0.tree) }
    }

    /// Checks every template (a team's are parsed by swift-mustache too, for its errors), checks
    /// that every partial it names exists and that no partial includes itself, and compiles the
    /// templates; when one does not compile, swift-mustache's library renders every page.
    private mutating func compile() throws {
        var texts: [String: String] = [:]
        var tags: [String: [TemplateChecks.Tag]] = [:]
        for name in files.keys.sorted() where name.hasSuffix(".mustache") {
            let file = files[name]!
            // Without the file's final newline, so partials used inline add no stray line break.
            var text = file.text
            if text.hasSuffix("\n") { text.removeLast() }
            let key = String(name.dropLast(9)), scanned = TemplateChecks.tags(in: text)
            texts[key] = text
            tags[key] = scanned
            // Before the parsers, which recurse once per level of nesting.
            if let problem = TemplateChecks.nestingProblem(scanned) {
                throw TemplateError(file: origin(name), line: problem.line, column: problem.column, message: problem.message)
            }
            // swift-mustache parses a team's templates: its errors, and their places, are the
            // ones reported. The default theme's templates parse (its tests render every one).
            guard file.origin != "default" else { continue }
            do {
                _ = try MustacheTemplate(string: text)
            } catch let error as MustacheTemplate.ParserError {
                let place = Theme.locate(error, in: text)
                throw TemplateError(file: origin(name), line: place.line, column: place.column, message: place.message)
            }
        }
        for name in files.keys.sorted() where name.hasSuffix(".mustache") {
            for reference in TemplateChecks.partialReferences(tags[String(name.dropLast(9))] ?? []) {
                if reference.name.hasPrefix("*") {
                    // Named by a value at render time: a title could name the page's own template.
                    throw TemplateError(file: origin(name), line: reference.line, column: reference.column,
                                        message: "partial '\(reference.name)' does not exist: dynamic partials ({{>*name}}) are not supported")
                }
                if texts[reference.name] == nil {
                    throw TemplateError(file: origin(name), line: reference.line, column: reference.column,
                                        message: "partial '\(reference.name)' does not exist (no \(reference.name).mustache)")
                }
            }
        }
        if let cycle = TemplateChecks.cycleProblem(tags) {
            throw TemplateError(file: origin(cycle.template + ".mustache"), line: cycle.line, column: cycle.column,
                                message: cycle.message)
        }
        if let deep = TemplateChecks.depthProblem(tags, limit: TemplateRenderer.maxDepth) {
            throw TemplateError(file: origin(deep.template + ".mustache"), line: deep.line, column: deep.column,
                                message: deep.message)
        }
        templateTexts = texts
        var compiled: [String: CompiledTemplate] = [:]
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            guard let template = try? CompiledTemplate.compile(text) else {
                self.compiled = nil
                reference = Self.library(texts)
                return
            }
            compiled[name] = template
        }
        self.compiled = TemplateRenderer(templates: compiled)
    }

    /// swift-mustache's library of every template: the one made when the templates did not
    /// compile, or made now.
    private var referenceLibrary: MustacheLibrary { reference ?? Self.library(templateTexts) }

    /// swift-mustache's library of `texts` (each of which parsed before).
    private static func library(_ texts: [String: String]) -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            if let template = try? MustacheTemplate(string: text) { library.register(template, named: name) }
        }
        return library
    }

    /// Where a template file came from, as diagnostics name it.
    func origin(_ name: String) -> String {
        guard let file = files[name] else { return "templates/\(name)" }
        return file.origin == "default" ? "templates/\(name)" : file.origin
    }

    /// Renders the template `name` (without `.mustache`) with a view model. Fails when the page
    /// would be larger than `TemplateRenderer.maxOutput` or partials and sections nest deeper
    /// than `TemplateRenderer.maxDepth` while rendering.
    func render(_ name: String, _ model: TemplateValue) throws(TemplateError) -> [UInt8] {
        if let compiled {
            do {
                return try compiled.render(name, model)
            } catch {
                let place = error.template.map { origin($0 + ".mustache") } ?? origin(name + ".mustache")
                throw TemplateError(file: place, line: error.line, column: error.column, message: error.message)
            }
        }
        let bytes = Array((referenceLibrary.render(model.any, withTemplate: name) ?? "").utf8)
        if bytes.count > TemplateRenderer.maxOutput {
            throw TemplateError(file: origin(name + ".mustache"), line: 1, column: 1,
                                message: TemplateRenderer.tooLargeMessage)
        }
        return bytes
    }

    /// Renders with swift-mustache, the reference, whatever the templates use (for tests).
    func renderWithReference(_ name: String, _ model: TemplateValue) -> [UInt8] {
        Array((referenceLibrary.render(model.any, withTemplate: name) ?? "").utf8)
    }

    /// True when pages are rendered by the compiled templates.
    public var isCompiled: Bool { compiled != nil }

    /// The same theme rendering every page with swift-mustache (the tests compare both).
    func referenceOnly() -> Theme {
        var copy = self
        copy.compiled = nil
        copy.reference = referenceLibrary
        return copy
    }

    /// A static file of the theme (`style.css`, `site.js`).
    func text(_ name: String) -> String { files[name]?.text ?? "" }

    /// Where a parse error is, as a person looks for it: an unclosed section at its opening tag,
    /// a wrong closing tag at its `{{`, anything else where the parser stopped. Columns count
    /// UTF-8 bytes, as in every other diagnostic of adrsite.
    static func locate(_ error: MustacheTemplate.ParserError, in text: String) -> (line: Int, column: Int, message: String) {
        switch error.error {
        case MustacheTemplate.Error.expectedSectionEnd, MustacheTemplate.Error.sectionCloseNameIncorrect:
            if let problem = TemplateChecks.sectionProblem(in: text) { return problem }
        default:
            break
        }
        // The parser counts columns in characters; the line it reports gives the bytes.
        let characters = max(0, error.context.columnNumber - 1)
        let column = error.context.line.prefix(characters).utf8.count + 1
        return (error.context.lineNumber, column, describe(error.error))
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case MustacheTemplate.Error.sectionCloseNameIncorrect: return "section closed with the wrong name"
        case MustacheTemplate.Error.unfinishedName: return "tag is not closed"
        case MustacheTemplate.Error.expectedSectionEnd: return "section is never closed"
        case MustacheTemplate.Error.invalidSetDelimiter: return "invalid set-delimiter tag"
        default: return "template syntax error (\(error))"
        }
    }
}

/// A problem in a template, with its place: `templates/index.mustache:12:5: error: …`.
public struct TemplateError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}
