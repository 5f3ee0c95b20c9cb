import ADRCore
import Foundation
import Mustache
import TestSupport
import Testing
@testable import ADRSite

/// The compiled templates must render exactly what swift-mustache renders: swift-mustache is the
/// reference, the compiled form is only faster.
@Suite struct TemplateEngineTests {
    @Test(arguments: ["nygard", "madr2", "madr3", "log4brains", "status-table", "categories", "seed", "broken"])
    func `every page of a fixture site is byte-identical with swift-mustache`(_ fixture: String) throws {
        let log = Pipeline.decisionLog(SiteFixtures.core(fixture))
        let theme = try Theme.load()
        #expect(theme.isCompiled)
        var options = SiteOptions()
        options.baseURL = "https://example.org/adr/"
        options.repositoryURL = "https://github.com/example/repo/tree/main/docs/adr"
        let fast = try SiteRenderer.render(log, theme: theme, options: options, siteTitle: "Fixture <log> & \"friends\" 'n'")
        let reference = try SiteRenderer.render(log, theme: theme.referenceOnly(), options: options,
                                                siteTitle: "Fixture <log> & \"friends\" 'n'")
        #expect(fast.map(\.path) == reference.map(\.path))
        for (a, b) in zip(fast, reference) where a.bytes != b.bytes {
            Issue.record("\(a.path) differs:\n--- compiled\n\(String(decoding: a.bytes, as: UTF8.self))\n--- swift-mustache\n\(String(decoding: b.bytes, as: UTF8.self))")
        }
    }

    /// A build parses only a team's templates with swift-mustache; the default theme's must parse.
    @Test(arguments: Theme.defaults.keys.filter { $0.hasSuffix(".mustache") }.sorted())
    func `every template of the default theme parses with swift-mustache`(_ name: String) throws {
        let text = String(decoding: Theme.defaults[name]!, as: UTF8.self)
        _ = try MustacheTemplate(string: text)
        #expect(try CompiledTemplate.compile(text).nodes.isEmpty == text.isEmpty)
    }

    /// Templates exercising the parts of Mustache the compiler handles.
    static let cases: [(name: String, template: String, partials: [String: String])] = [
        ("variables are escaped, triple and ampersand are not", "{{a}} {{{a}}} {{&a}} {{n}} {{yes}} {{missing}}|", [:]),
        ("dotted names and the implicit iterator", "{{o.p.q}} {{#list}}[{{.}}]{{/list}} {{#o}}{{p.q}}{{/o}}", [:]),
        ("lookups climb the context stack", "{{#items}}{{name}}:{{a}};{{/items}}", [:]),
        ("a leading dot looks only at the current object", "{{#items}}{{.a}}{{/items}}", [:]),
        ("standalone sections and comments leave no blank lines", "begin\n  {{#yes}}\n  inside\n  {{/yes}}\n  {{! note }}\nend\n", [:]),
        ("inline sections keep their whitespace", " {{#yes}} x {{/yes}} \n{{^no}}shown{{/no}}{{^yes}}hidden{{/yes}}", [:]),
        ("empty lists and false are falsy, strings and numbers are not", "{{#empty}}E{{/empty}}{{^empty}}e{{/empty}}{{#a}}[{{.}}]{{/a}}{{#n}}<{{.}}>{{/n}}", [:]),
        ("an indented standalone partial indents each of its lines", "<ul>\n  {{> item}}\n</ul>\n", ["item": "<li>one</li>\n<li>{{a}}</li>\n"]),
        ("an inline partial is not indented", "x {{> item}} y", ["item": "A\nB"]),
        ("set delimiters", "{{=<% %>=}}\n<% a %> {{a}}\n<%={{ }}=%>\n{{a}}", [:]),
        ("CRLF line endings", "a\r\n  {{#yes}}\r\n  b\r\n  {{/yes}}\r\nc", [:]),
        ("sections inside partials inside sections", "{{#items}}{{> p}}{{/items}}", ["p": "{{#name}}<{{name}}>{{/name}}\n"]),
        ("a section that ends on the last line", "{{#yes}}\nx\n{{/yes}}", [:]),
        ("indented partials inside indented partials, with sections and lists", "<div>\n  {{> outer}}\n</div>\n",
         ["outer": "<ul>\n{{#list}}\n  {{> inner}}\n{{/list}}\n</ul>\n{{^empty}}\n  {{> second}}\n{{/empty}}\n",
          "inner": "<li>{{.}}</li>\n<li>{{#o}}{{p.q}}{{/o}}\n{{a}}</li>\n",
          "second": "<p>{{n}}</p>\n  {{#list}}\n    {{> inner}}\n  {{/list}}\n"]),
        ("a long value with special bytes far apart, escaped and raw", "{{long}}|{{{long}}}|{{& long}}", [:]),
        ("a partial that is not there renders nothing", "a{{> missing}}b\n  {{> missing}}\nc", [:]),
    ]

    static let model: TemplateValue = .named([
        "a": "<b>&\"'", "long": "plain words for more than eight bytes & then <tags>, 'single' and \"double\" quotes, then words again",
        "n": 42, "yes": true, "no": false, "empty": [],
        "o": .named(["p": .named(["q": "deep"])]),
        "list": ["x", "y"],
        "items": [.named(["name": "first", "a": "own"]), .named(["name": "second"])],
    ])

    @Test(arguments: 0..<cases.count)
    func `the compiled engine renders like swift-mustache`(_ index: Int) throws {
        let c = Self.cases[index]
        var library = MustacheLibrary()
        try library.register(c.template, named: "main")
        var compiled: [String: CompiledTemplate] = ["main": try CompiledTemplate.compile(c.template)]
        for (name, text) in c.partials {
            try library.register(text, named: name)
            compiled[name] = try CompiledTemplate.compile(text)
        }
        let expected = library.render(Self.model.any, withTemplate: "main") ?? ""
        let actual = String(decoding: try TemplateRenderer(templates: compiled).render("main", Self.model), as: UTF8.self)
        #expect(actual == expected, "\(c.name)")
    }

    /// The compiler reads bytes where swift-mustache reads Characters: seeded templates of tags,
    /// spaces and every kind of line break and whitespace Swift knows (CR LF, NEL, LS, PS, VT, FF,
    /// NBSP, ideographic space) render alike whenever both engines take them.
    @Test func `seeded templates with Unicode line breaks and spaces render like swift-mustache`() throws {
        let pieces = ["{{a}}", "{{#yes}}", "{{/yes}}", "{{^no}}", "{{/no}}", "{{! c }}", "{{> p}}", "{{{a}}}",
                      "{{ n }}", "{{\u{3000}n\u{A0}}}", "{{=<% %>=}}<% a %>\n<%={{ }}=%>", " ", "  ", "\t", "\n", "\r\n", "\r", "\u{0B}", "\u{0C}",
                      "\u{85}", "\u{2028}", "\u{2029}", "\u{A0}", "\u{3000}", "x", "é", "→", "{", "}"]
        var rng = SplitMix(seed: UInt64(ProcessInfo.processInfo.environment["ADRSITE_PROPERTY_SEED"] ?? "") ?? 7)
        // Spaces beyond ASCII inside a tag are skipped as swift-mustache skips them: it compiles.
        #expect((try? CompiledTemplate.compile("{{\u{3000}n\u{A0}}}\u{2028}{{#yes}}\u{85}{{/yes}}")) != nil)
        var compared = 0
        for _ in 0..<6000 {
            let text = (0..<Int.random(in: 1...14, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            // The partial does not include itself: swift-mustache would recurse without end.
            let partial = (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }
                .filter { $0 != "{{> p}}" }.joined()
            guard let compiled = try? CompiledTemplate.compile(text), let compiledPartial = try? CompiledTemplate.compile(partial),
                  (try? MustacheTemplate(string: text)) != nil, (try? MustacheTemplate(string: partial)) != nil else { continue }
            var library = MustacheLibrary()
            try library.register(text, named: "main")
            try library.register(partial, named: "p")
            let expected = library.render(Self.model.any, withTemplate: "main") ?? ""
            let actual = String(decoding: try TemplateRenderer(templates: ["main": compiled, "p": compiledPartial])
                .render("main", Self.model), as: UTF8.self)
            #expect(actual == expected, "\(text.debugDescription) with partial \(partial.debugDescription)")
            compared += 1
        }
        #expect(compared > 1200)
    }

    /// A character of several scalars (a combining mark after a brace, a flag) is one character to
    /// swift-mustache and several to the compiler: such a template is left to swift-mustache.
    @Test(arguments: ["{{a}}\u{301}", "e\u{301} {{a}}", "🇫🇷 {{a}}", "{\u{301}{a}}"])
    func `templates with characters of several scalars are left to swift-mustache`(_ text: String) throws {
        #expect(throws: CompiledTemplate.Unsupported.self) { try CompiledTemplate.compile(text) }
        let kept = try CompiledTemplate.compile("a\r\n{{a}}\u{2028}é")
        #expect(String(decoding: try TemplateRenderer(templates: ["t": kept]).render("t", Self.model), as: UTF8.self)
                == "a\r\n&lt;b&gt;&amp;&quot;&#39;\u{2028}é")
    }

    @Test func `templates that use transforms or inheritance are rendered by swift-mustache`() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adrsite-tpl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"<span class="badge">{{uppercased(status)}}</span>"#.write(toFile: dir + "/badge.mustache", atomically: false, encoding: .utf8)
        let theme = try Theme.load(overrides: [dir])
        #expect(!theme.isCompiled)
        let html = String(decoding: try theme.render("badge", [.status: "accepted"]), as: UTF8.self)
        #expect(html == #"<span class="badge">ACCEPTED</span>"#)
    }
}
