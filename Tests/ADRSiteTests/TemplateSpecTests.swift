import Foundation
import Mustache
import Testing
@testable import ADRSite

/// The compiled template engine against the official Mustache specification's test files
/// (Fixtures/mustache-spec: interpolation, sections, inverted, partials, delimiters, comments;
/// where they come from is in SOURCE.md there). Each example renders as the specification
/// expects, or is a known exception below with its reason (none today: all 133 pass).
@Suite struct TemplateSpecTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mustache-spec").path
    static let files = ["interpolation", "sections", "inverted", "partials", "delimiters", "comments"]

    struct Example: CustomTestStringConvertible, Sendable {
        var file: String
        var name: String
        var template: String
        var expected: String
        var data: TemplateValue
        var partials: [String: String]
        var testDescription: String { "\(file): \(name)" }
    }

    /// Examples the engine does not render as the specification expects, and why.
    static let knownExceptions: [String: String] = [:]

    /// One file of the specification, as JSON.
    struct SpecFile: Decodable {
        struct Test: Decodable {
            var name: String
            var template: String
            var expected: String
            var data: JSON
            var partials: [String: String]?
        }
        var tests: [Test]
    }

    /// Any JSON value.
    enum JSON: Decodable {
        case null, bool(Bool), number(Double), string(String), list([JSON]), object([String: JSON])

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let l = try? c.decode([JSON].self) { self = .list(l) }
            else { self = .object(try c.decode([String: JSON].self)) }
        }

        /// As a template value. View models hold neither fractions nor null: a fraction is given
        /// as its text, and a null is left out.
        var value: TemplateValue? {
            switch self {
            case .null: return nil
            case .bool(let b): return .bool(b)
            case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? .int(Int(n)) : .string("\(n)")
            case .string(let s): return .string(s)
            case .list(let l): return .list(l.compactMap(\.value))
            case .object(let o):
                var object = TemplateObject()
                for (name, value) in o.sorted(by: { $0.key < $1.key }) { object[TemplateKey(name)] = value.value }
                return .object(object)
            }
        }
    }

    static func examples() throws -> [Example] {
        var out: [Example] = []
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/\(file).json"))
            for test in try JSONDecoder().decode(SpecFile.self, from: data).tests {
                out.append(Example(file: file, name: test.name, template: test.template, expected: test.expected,
                                   data: test.data.value ?? .object(TemplateObject()), partials: test.partials ?? [:]))
            }
        }
        return out
    }

    /// The example rendered by the compiled form (every example of these files compiles).
    static func render(_ e: Example) throws -> String {
        let main = "spec main template"
        var templates = [main: try CompiledTemplate.compile(e.template)]
        for (name, text) in e.partials { templates[name] = try CompiledTemplate.compile(text) }
        return String(decoding: try TemplateRenderer(templates: templates).render(main, e.data), as: UTF8.self)
    }

    @Test func `the six files hold the 133 examples of the specification's v1.4.1`() throws {
        let counts = Dictionary(grouping: try Self.examples(), by: \.file).mapValues(\.count)
        #expect(counts == ["interpolation": 39, "sections": 34, "inverted": 22, "partials": 12, "delimiters": 14, "comments": 12])
    }

    @Test(arguments: try examples())
    func `each example of the Mustache specification renders as expected or is a known exception`(_ e: Example) throws {
        let output = try Self.render(e)
        if let reason = Self.knownExceptions[e.testDescription] {
            #expect(output != e.expected, "\(e.testDescription) is listed as an exception (\(reason)) but passes")
        } else {
            #expect(output == e.expected, "\(e.testDescription)\ntemplate: \(e.template.debugDescription)\nexpected: \(e.expected.debugDescription)\nactual:   \(output.debugDescription)")
        }
    }
}

