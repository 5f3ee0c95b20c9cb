import ADRCore
import Foundation
import TestSupport
import Testing
@testable import ADRSite

/// Templates are checked before any parser recurses over them, and rendering is bounded: a
/// partial cycle, nesting without end and pages without bound are errors with their place.
@Suite struct TemplateLimitTests {
    func cycleProblem(_ texts: [String: String]) -> (template: String, line: Int, column: Int, message: String)? {
        TemplateChecks.cycleProblem(texts.mapValues { TemplateChecks.tags(in: $0) })
    }

    func depthProblem(_ texts: [String: String], limit: Int) -> (template: String, line: Int, column: Int, message: String)? {
        TemplateChecks.depthProblem(texts.mapValues { TemplateChecks.tags(in: $0) }, limit: limit)
    }

    /// The names of tags are trimmed as Foundation's `trimmingCharacters(in: .whitespaces)` would.
    @Test func `tag names are trimmed of the characters Foundation calls whitespaces`() {
        let pieces = ["a", "é", " ", "\t", "\n", "\r", "\u{A0}", "\u{2003}", "\u{3000}", "\u{200B}", "\u{200C}", "\u{180E}", "\u{1680}", "\u{202F}", "\u{205F}", "\u{FEFF}", "\u{2000}", "\u{200A}", "\u{85}", "\u{2028}", "\u{301}", "."]
        var rng = SplitMix(seed: UInt64(ProcessInfo.processInfo.environment["ADRSITE_PROPERTY_SEED"] ?? "") ?? 41)
        for _ in 0..<4000 {
            let text = (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            #expect(TemplateChecks.trimmingSpaces(text) == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    @Test func `tags are read with their sigils and places, also after a set-delimiter tag`() {
        let tags = TemplateChecks.tags(in: "a {{#s}}\n  {{> p }}{{{raw}}}{{=<% %>=}}\n<%/s%> <%! c %>{{x}}")
        #expect(tags.map { "\($0.sigil.map(String.init) ?? "")\($0.name)@\($0.line):\($0.column)" }
                == ["#s@1:3", ">p@2:3", "{raw@2:11", "=<% %>@2:20", "/s@3:1", "!c@3:8"])
    }

    @Test func `a partial cycle is found, directly, through others and through a parent, and a tree is not one`() {
        #expect(cycleProblem(["a": "x {{> a}}"])?.message == "partial 'a' includes itself")
        let through = cycleProblem(["a": "{{> b}}", "b": "{{#x}}\n {{> c}}{{/x}}", "c": "{{> a}}"])
        #expect(through?.template == "c" && through?.line == 1 && through?.column == 1)
        #expect(through?.message == "partial 'a' includes itself through a → b → c → a")
        #expect(cycleProblem(["a": "{{<b}}{{/b}}", "b": "{{<a}}{{/a}}"]) != nil)
        // A partial used twice, and one that names a partial that does not exist, are no cycle.
        #expect(cycleProblem(["a": "{{> b}}{{> c}}{{> b}}", "b": "{{> c}}", "c": "leaf {{> missing}}"]) == nil)
    }

    @Test func `depth through partials and sections is counted as the renderer counts it`() {
        var texts = ["top": "{{#a}}{{> p1}}{{/a}}"]
        for k in 1...9 { texts["p\(k)"] = k == 9 ? "{{#b}}{{#c}}x{{/c}}{{/b}}" : "{{#x}}{{> p\(k + 1)}}{{/x}}" }
        // top: section (1) + partial (2); p1…p8: section + partial each (16); p9: two sections.
        #expect(depthProblem(texts, limit: 20) == nil)
        let deep = depthProblem(texts, limit: 19)
        #expect(deep?.template == "p1" || deep?.template == "top")
        #expect(deep?.message.hasPrefix("sections and partials nest 20 deep") == true, "\(String(describing: deep))")
    }

    /// The compiled renderer bounds its own depth, whatever the theme check let through.
    @Test func `the renderer stops at its depth limit with the place of the tag`() throws {
        var templates: [String: CompiledTemplate] = [:]
        for k in 0..<400 { templates["p\(k)"] = try CompiledTemplate.compile(k == 399 ? "end" : "-\n{{#yes}}{{> p\(k + 1)}}{{/yes}}") }
        let renderer = TemplateRenderer(templates: templates)
        #expect(throws: TemplateRenderer.Failure.self) { try renderer.render("p0", .named(["yes": true])) }
        do {
            _ = try renderer.render("p0", .named(["yes": true]))
        } catch {
            #expect(error.message.hasPrefix("sections and partials nest more than 256 deep"))
            #expect(error.line == 2 && (error.column == 1 || error.column == 9), "\(error)")
        }
    }

    @Test func `the renderer stops a page larger than 64 MB at the loop that repeats`() throws {
        let text = "head\n  {{#list}}{{#list}}{{#list}}" + String(repeating: "x", count: 1_000) + "{{.}}{{/list}}{{/list}}{{/list}}"
        let renderer = TemplateRenderer(templates: ["page": try CompiledTemplate.compile(text)])
        let list = TemplateValue.list((0..<100).map { .int($0) })
        do {
            _ = try renderer.render("page", .named(["list": list]))
            Issue.record("rendered 100 MB")
        } catch {
            #expect(error.template == "page" && error.line == 2 && error.column == 21, "\(error)")
            #expect(error.message == TemplateRenderer.tooLargeMessage)
        }
        // Just below the limit it renders.
        let small = TemplateValue.list((0..<10).map { .int($0) })
        #expect(try renderer.render("page", .named(["list": small])).count > 1_000_000)
    }

    @Test func `a theme's render error names the template file`() throws {
        let dir = try makeTemporaryFolder("limit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ("{{#decisions}}{{#decisions}}{{#decisions}}{{#decisions}}" + String(repeating: "y", count: 5_000)
             + "{{/decisions}}{{/decisions}}{{/decisions}}{{/decisions}}").write(toFile: dir + "/index.mustache", atomically: false, encoding: .utf8)
        let theme = try Theme.load(overrides: [dir])
        let rows = TemplateValue.list((0..<60).map { _ in [.title: "t"] })
        #expect(throws: TemplateError(file: dir + "/index.mustache", line: 1, column: 43, message: TemplateRenderer.tooLargeMessage)) {
            try theme.render("index", [.decisions: rows])
        }
    }
}

@Suite struct XMLTextTests {
    @Test func `characters XML 1.0 forbids are dropped and everything else is kept byte for byte`() {
        var input: [UInt8] = Array("<t>a".utf8)
        for b in UInt8(0)..<0x20 { input.append(b) }
        input += Array("b\u{FFFE}c\u{FFFF}d\u{FFFD}é\u{7F}\u{85}</t>".utf8)
        #expect(XMLText.clean(input) == Array("<t>a\t\n\rbcd\u{FFFD}é\u{7F}\u{85}</t>".utf8))
        let clean = Array("<feed>plain &amp; ☃</feed>".utf8)
        #expect(XMLText.clean(clean) == clean)
    }
}
