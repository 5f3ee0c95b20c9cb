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
    /// swift-mustache's library: the reference that parses (and reports errors in) every template.
    public private(set) var library = MustacheLibrary()
    /// The same templates compiled for speed; nil when one of them uses a feature only
    /// swift-mustache renders (then swift-mustache renders every page).
    private(set) var compiled: TemplateRenderer?
    /// Names of the files taken from override folders, sorted.
    public private(set) var overridden: [String] = []
    /// Extra files from `assets/` of an override folder, copied into the site's `assets/`.
    public private(set) var extraAssets: [(name: String, path: String)] = []

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
        "diagrams.js": PackageResources.diagrams_js,
    ]

    /// The default theme with the files of `overrides` (in order, later folders win) laid over it.
    /// Each template is registered with the name of its file minus `.mustache`.
    public static func load(overrides: [String] = []) throws -> Theme {
        var theme = Theme()
        for (name, bytes) in defaults {
            theme.files[name] = File(name: name, text: String(decoding: bytes, as: UTF8.self), origin: "default")
        }
        for directory in overrides {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw TemplateError(file: directory, line: 1, column: 1, message: "templates folder does not exist")
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                if name == "assets" {
                    // Files of assets/ (also in subfolders) go to the site's assets/, except
                    // where the site writes its own (style.css and site.js are overridden by
                    // files of those names beside the templates).
                    let generated: Set<String> = ["style.css", "site.js", "search-index.js", "diagrams.js", "mermaid.min.js"]
                    let files = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
                    for asset in files.sorted() where !asset.split(separator: "/").contains(where: { $0.hasPrefix(".") })
                        && !generated.contains(asset) {
                        var isDirectory: ObjCBool = false
                        FileManager.default.fileExists(atPath: path + "/" + asset, isDirectory: &isDirectory)
                        if !isDirectory.boolValue { theme.extraAssets.append((asset, path + "/" + asset)) }
                    }
                    continue
                }
                guard defaults[name] != nil || name.hasSuffix(".mustache") else { continue }
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw TemplateError(file: path, line: 1, column: 1, message: "cannot read template")
                }
                theme.files[name] = File(name: name, text: String(decoding: data, as: UTF8.self), origin: path)
                if !theme.overridden.contains(name) { theme.overridden.append(name) }
            }
        }
        theme.overridden.sort()
        try theme.compile()
        return theme
    }

    /// Parses every template and checks that every partial it names exists.
    private mutating func compile() throws {
        var library = MustacheLibrary()
        for name in files.keys.sorted() where name.hasSuffix(".mustache") {
            let file = files[name]!
            // Without the file's final newline, so partials used inline add no stray line break.
            var text = file.text
            if text.hasSuffix("\n") { text.removeLast() }
            do {
                library.register(try MustacheTemplate(string: text), named: String(name.dropLast(9)))
            } catch let error as MustacheTemplate.ParserError {
                let place = Theme.locate(error, in: text)
                throw TemplateError(file: file.origin == "default" ? "templates/\(name)" : file.origin,
                                    line: place.line, column: place.column, message: place.message)
            }
        }
        for name in files.keys.sorted() where name.hasSuffix(".mustache") {
            let file = files[name]!
            for reference in Theme.partialReferences(in: file.text)
            where library.getTemplate(named: reference.name) == nil {
                throw TemplateError(file: file.origin == "default" ? "templates/\(name)" : file.origin,
                                    line: reference.line, column: reference.column,
                                    message: "partial '\(reference.name)' does not exist (no \(reference.name).mustache)")
            }
        }
        self.library = library
        var compiled: [String: CompiledTemplate] = [:]
        for name in files.keys.sorted() where name.hasSuffix(".mustache") {
            var text = files[name]!.text
            if text.hasSuffix("\n") { text.removeLast() }
            guard let template = try? CompiledTemplate.compile(text) else {
                self.compiled = nil
                return
            }
            compiled[String(name.dropLast(9))] = template
        }
        self.compiled = TemplateRenderer(templates: compiled)
    }

    /// Renders the template `name` (without `.mustache`) with a view model.
    func render(_ name: String, _ model: TemplateValue) -> [UInt8] {
        if let compiled { return compiled.render(name, model) }
        return Array((library.render(model.any, withTemplate: name) ?? "").utf8)
    }

    /// Renders with swift-mustache, the reference, whatever the templates use (for tests).
    func renderWithReference(_ name: String, _ model: TemplateValue) -> [UInt8] {
        Array((library.render(model.any, withTemplate: name) ?? "").utf8)
    }

    /// True when pages are rendered by the compiled templates.
    public var isCompiled: Bool { compiled != nil }

    /// The same theme rendering every page with swift-mustache (the tests compare both).
    func referenceOnly() -> Theme {
        var copy = self
        copy.compiled = nil
        return copy
    }

    /// A static file of the theme (`style.css`, `site.js`).
    func text(_ name: String) -> String { files[name]?.text ?? "" }

    /// `{{> name}}` and `{{< name}}` tags, with their 1-based positions.
    static func partialReferences(in text: String) -> [(name: String, line: Int, column: Int)] {
        let b = Array(text.utf8)
        var out: [(String, Int, Int)] = []
        var line = 1, lineStart = 0
        var i = 0
        while i + 2 < b.count {
            if b[i] == 0x0A { line += 1; lineStart = i + 1 }
            if b[i] == UInt8(ascii: "{") && b[i + 1] == UInt8(ascii: "{")
                && (b[i + 2] == UInt8(ascii: ">") || b[i + 2] == UInt8(ascii: "<")) {
                var j = i + 3
                while j < b.count && b[j] == 0x20 { j += 1 }
                let start = j
                while j < b.count && b[j] != 0x20 && b[j] != UInt8(ascii: "}") { j += 1 }
                // `{{>*name}}` names its partial at render time: nothing to check here.
                if j > start && b[start] != UInt8(ascii: "*") {
                    out.append((String(decoding: b[start..<j], as: UTF8.self), line, i - lineStart + 1))
                }
                i = j
                continue
            }
            i += 1
        }
        return out
    }

    /// Where a parse error is, as a person looks for it: an unclosed section at its opening tag,
    /// a wrong closing tag at its `{{`, anything else where the parser stopped. Columns count
    /// UTF-8 bytes, as in every other diagnostic of adrsite.
    static func locate(_ error: MustacheTemplate.ParserError, in text: String) -> (line: Int, column: Int, message: String) {
        switch error.error {
        case MustacheTemplate.Error.expectedSectionEnd, MustacheTemplate.Error.sectionCloseNameIncorrect:
            if let problem = sectionProblem(in: text) { return problem }
        default:
            break
        }
        // The parser counts columns in characters; the line it reports gives the bytes.
        let characters = max(0, error.context.columnNumber - 1)
        let column = error.context.line.prefix(characters).utf8.count + 1
        return (error.context.lineNumber, column, describe(error.error))
    }

    /// The first section that is closed with the wrong name, else the innermost one never
    /// closed, with the position of its tag. Nil when the template changes its delimiters (the
    /// parser's own position is used then) or every section is closed.
    static func sectionProblem(in text: String) -> (line: Int, column: Int, message: String)? {
        let b = Array(text.utf8)
        var open: [(name: String, line: Int, column: Int)] = []
        var line = 1, lineStart = 0
        var i = 0
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            var k = start
            while k + needle.count <= b.count {
                if needle.indices.allSatisfy({ b[k + $0] == needle[$0] }) { return k }
                k += 1
            }
            return nil
        }
        while i + 1 < b.count {
            if b[i] == 0x0A { line += 1; lineStart = i + 1; i += 1; continue }
            guard b[i] == UInt8(ascii: "{"), b[i + 1] == UInt8(ascii: "{") else { i += 1; continue }
            let tagLine = line, tagColumn = i - lineStart + 1
            let triple = i + 2 < b.count && b[i + 2] == UInt8(ascii: "{")
            guard let close = find(Array((triple ? "}}}" : "}}").utf8), from: i + 2) else { return nil }
            let inside = String(decoding: b[(i + (triple ? 3 : 2))..<close], as: UTF8.self)
            for k in i..<close where b[k] == 0x0A { line += 1; lineStart = k + 1 }
            i = close + (triple ? 3 : 2)
            guard !triple, let sigil = inside.first else { continue }
            let name = inside.dropFirst().trimmingCharacters(in: .whitespaces)
            switch sigil {
            case "=":
                return nil
            case "#", "^", "$", "<":
                open.append((name, tagLine, tagColumn))
            case "/":
                guard let top = open.last else {
                    return (tagLine, tagColumn, "section closed with the wrong name: {{/\(name)}} closes no open section")
                }
                if top.name != name {
                    return (tagLine, tagColumn, "section closed with the wrong name: {{/\(name)}} closes '\(top.name)', opened at \(top.line):\(top.column)")
                }
                open.removeLast()
            default:
                continue
            }
        }
        if let top = open.last {
            return (top.line, top.column, "section '\(top.name)' is never closed (no {{/\(top.name)}})")
        }
        return nil
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

    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}
