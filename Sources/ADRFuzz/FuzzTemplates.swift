// The templates mode of the fuzz target (ADRFUZZ_TARGET=templates, `scripts/fuzz.sh --templates`):
// the theme loader and the renderers with arbitrary template text. The input is a theme:
//
//     template ("\n\0\0\n" template){0,3}
//     template := ["@" name "\n"] text      name of the template, without .mustache; default
//                                            index, footer, badge, decision (in turn)
//
// Each template is laid over the default theme and the theme is loaded with every check of
// Theme.load; a theme that loads is rendered into the whole site of a small fixed log (a
// template error of a limit, page size, depth or steps, is an expected outcome). A crash, a
// sanitizer report or a timeout is a finding. Themes that fall back to swift-mustache
// (transforms, inheritance) are loaded but not rendered: its rendering has no bounds of ours.
#if FUZZING || DEBUG
@testable import ADRCore
@testable import ADRSite

private let defaultNames = ["index", "footer", "badge", "decision"]

func fuzzTemplates(_ input: UnsafeBufferPointer<UInt8>) -> CInt {
    var templates: [String: String] = [:]
    for (n, part) in split(input, maxParts: 4).enumerated() {
        var text = part
        var name = defaultNames[n]
        if text.first == UInt8(ascii: "@") {
            let end = text.firstIndex(of: 0x0A) ?? text.endIndex
            let raw = String(decoding: text[(text.startIndex + 1)..<end], as: UTF8.self)
            // A file name a folder could hold: letters, digits, `-`, `_`.
            let clean = String(raw.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
                .map(Character.init).prefix(40))
            if !clean.isEmpty { name = clean }
            text = text[min(end + 1, text.endIndex)...]
        }
        templates[name + ".mustache"] = String(decoding: text, as: UTF8.self)
    }
    guard let theme = try? Theme.make(templates: templates) else { return 0 }
    guard theme.isCompiled else { return 0 }
    var options = SiteOptions()
    options.baseURL = "https://acme.example/adr/"
    options.repositoryURL = "https://github.com/acme/app/tree/main/docs/adr"
    do {
        let files = try SiteRenderer.render(fuzzLog, theme: theme, options: options, siteTitle: "Fuzz <log> & co")
        precondition(!files.isEmpty)
    } catch is TemplateError {
        // A limit of the renderer: the expected answer to a template that would not end.
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
    return 0
}
#endif
