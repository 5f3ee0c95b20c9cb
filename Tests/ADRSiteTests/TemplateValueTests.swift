import Testing
@testable import ADRSite

/// Template objects are searched by number: the names behind the numbers must be the ones
/// templates write, and an object must behave as the dictionary it replaced.
@Suite struct TemplateValueTests {
    @Test func `every TemplateName is named as its case and documented for teams`() throws {
        let names = TemplateName.allCases.map(\.name)
        #expect(TemplateName.title.name == "title" && TemplateName.hasOpenFollowUps.name == "hasOpenFollowUps")
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.first!.isLetter && $0.allSatisfy { $0.isLetter } }, "\(names)")
        for (k, name) in TemplateName.allCases.enumerated() { #expect(name.rawValue == Int32(k)) }
        let readme = try TemplateDocumentationTests.readme()
        let missing = names.filter { !TemplateDocumentationTests.documents(readme, $0) }
        #expect(missing.isEmpty, "templates/README.md does not document \(missing.joined(separator: ", "))")
    }

    @Test func `a key made from a name finds the value set with that name`() {
        #expect(TemplateKey("title") == TemplateKey(.title))
        let other = TemplateKey("someNameNoPageUses")
        #expect(other == TemplateKey("someNameNoPageUses") && other != TemplateKey(.title))
        #expect(other.name == "someNameNoPageUses" && other.id >= Int32(TemplateName.allCases.count))
    }

    @Test func `an object keeps one value per name: the last one set`() {
        var object: TemplateObject = [.title: "a", .url: "u", .title: "b"]
        #expect(object.count == 2 && object.names == ["title", "url"])
        guard case .string("b")? = object[.title] else { Issue.record("\(String(describing: object[.title]))"); return }
        object[.url] = nil
        object[TemplateKey("extra")] = 3
        #expect(object.names == ["title", "extra"] && object[.url] == nil)
        guard case .int(3)? = object[TemplateKey("extra")] else { Issue.record("extra"); return }
        // Names past the object's bit set (every TemplateName fits in it) are searched for.
        #expect(TemplateName.allCases.count <= 128)
        var wide = TemplateObject()
        for name in TemplateName.allCases { wide[name] = .int(Int(name.rawValue)) }
        for k in 0..<200 { wide[TemplateKey("name\(k)")] = .int(1000 + k) }
        for name in TemplateName.allCases {
            guard case .int(Int(name.rawValue))? = wide[name] else { Issue.record("\(name)"); return }
            wide[name] = nil
            #expect(wide[name] == nil)
        }
        guard case .int(1199)? = wide[TemplateKey("name199")] else { Issue.record("name199"); return }
        guard case .object(let o) = TemplateValue.named(["x": 1, "x": 2]), case .int(2)? = o[TemplateKey("x")] else {
            Issue.record("named"); return
        }
    }
}
