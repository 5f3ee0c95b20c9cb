import ADRCore
import Foundation
import Testing
@testable import ADRSite

/// templates/README.md and PAGES.md are what a team reads to override the theme: together they must
/// name every file of the default theme and every value the default templates use, so that they
/// cannot drift from them.
@Suite struct TemplateDocumentationTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let templates = repository.appendingPathComponent("templates")

    static let documentation = ["README.md", "PAGES.md"]

    /// The theme's documentation, both files as one text.
    static func readme() throws -> String {
        try documentation.map { try String(contentsOf: templates.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n")
    }

    /// The theme's files: those in templates/ and those compiled into the binary.
    static func themeFiles() throws -> [String] {
        let present = try FileManager.default.contentsOfDirectory(atPath: templates.path)
            .filter { !$0.hasPrefix(".") && !documentation.contains($0) }
        return Set(present).union(Theme.defaults.keys).sorted()
    }

    /// True when `name` appears in the README as a code span, `` `name` ``.
    static func documents(_ readme: String, _ name: String) -> Bool {
        readme.contains("`\(name)`")
    }

    @Test func `every file of the default theme is named in templates README`() throws {
        let readme = try Self.readme()
        let files = try Self.themeFiles()
        #expect(files.contains("index.mustache") && files.contains("site.js"))
        let missing = files.filter { !Self.documents(readme, $0) }
        #expect(missing.isEmpty, "templates/README.md does not name \(missing.joined(separator: ", "))")
    }

    @Test func `every value a default template uses is documented in templates README`() throws {
        let readme = try Self.readme()
        var users: [String: [String]] = [:]
        for file in try Self.themeFiles() where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: Self.templates.appendingPathComponent(file), encoding: .utf8)
            for name in Self.names(in: text) where !(users[name]?.contains(file) ?? false) {
                users[name, default: []].append(file)
            }
        }
        // The scan itself works: names from plain, section, inverted and triple tags are found.
        for known in ["root", "decisions", "hasSuccessors", "body", "extraHead"] {
            #expect(users[known] != nil, "the scan of the templates did not find \(known)")
        }
        let missing = users.keys.sorted().filter { !Self.documents(readme, $0) }
        #expect(missing.isEmpty, """
            templates/README.md has no `name` for: \
            \(missing.map { "\($0) (\(users[$0]!.joined(separator: ", ")))" }.joined(separator: "; "))
            """)
    }

    @Test func `every key of a decision reference, a page, a banner, a relation and a follow-up is documented`() throws {
        let readme = try Self.readme()
        let log = Pipeline.decisionLog(SiteFixtures.own("golden"))
        var options = SiteOptions()
        options.extraHead = "<script></script>"
        let context = Context(log: log, theme: try Theme.load(), options: options, siteTitle: "Log")
        var keys: Set<String> = []
        func add(_ value: TemplateValue?) {
            switch value {
            case .object(let values)?:
                keys.formUnion(values.names)
            case .list(let items)?:
                for item in items { add(item) }
            default:
                break
            }
        }
        for d in log.decisions {
            add(.object(context.ref(d)))
            add(context.banner(d))
            add(.list(context.relationGroups(d)))
            for f in d.followUps { add(context.followUpModel(f, decisionURL: "x.html")) }
        }
        add(context.page("index.html", title: "Log", [:]))
        #expect(keys.isSuperset(of: ["id", "hasStatus", "kind", "label", "addressedBy", "extraHead"]))
        let missing = keys.sorted().filter { !Self.documents(readme, $0) }
        #expect(missing.isEmpty, "templates/README.md does not document \(missing.joined(separator: ", "))")
    }

    /// Names of the values a template looks up: `{{name}}`, `{{#name}}`, `{{^name}}`,
    /// `{{{name}}}`, `{{&name}}`, each part of a dotted name; not `.`, partials, closing tags,
    /// comments or set-delimiter tags (the default templates keep `{{ }}`).
    static func names(in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            let triple = rest[open.upperBound...].hasPrefix("{")
            let start = triple ? rest.index(after: open.upperBound) : open.upperBound
            guard let close = rest[start...].range(of: triple ? "}}}" : "}}") else { break }
            var tag = rest[start..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            rest = rest[close.upperBound...]
            if let sigil = tag.first, "#^&".contains(sigil) {
                tag = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces)
            } else if let sigil = tag.first, "/!>=<$%".contains(sigil) {
                continue
            }
            for part in tag.split(separator: ".") where !part.isEmpty {
                out.append(String(part))
            }
        }
        return out
    }
}
