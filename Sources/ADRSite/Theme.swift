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
    public private(set) var library = MustacheLibrary()
    /// Names of the files taken from override folders, sorted.
    public private(set) var overridden: [String] = []
    /// Extra files from `assets/` of an override folder, copied into the site's `assets/`.
    public private(set) var extraAssets: [(name: String, path: String)] = []

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
                    for asset in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                    where !asset.hasPrefix(".") {
                        theme.extraAssets.append((asset, path + "/" + asset))
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
                throw TemplateError(file: file.origin == "default" ? "templates/\(name)" : file.origin,
                                    line: error.context.lineNumber, column: error.context.columnNumber,
                                    message: Theme.describe(error.error))
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
    }

    /// Renders the template `name` (without `.mustache`) with a view model.
    func render(_ name: String, _ model: [String: Any]) -> String {
        library.render(model, withTemplate: name) ?? ""
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
                if j > start {
                    out.append((String(decoding: b[start..<j], as: UTF8.self), line, i - lineStart + 1))
                }
                i = j
                continue
            }
            i += 1
        }
        return out
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
