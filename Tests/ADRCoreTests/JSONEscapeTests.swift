import Foundation
import Testing
@testable import ADRCore

/// decisions.json and search.json strings: valid JSON, the same text back, and nothing that
/// could end a `<script>` element or a JavaScript string.
@Suite struct JSONEscapeTests {
    func written(_ s: String) -> String {
        var w = JSONWriter(pretty: false)
        w.value(s)
        return w.string
    }

    @Test func `special characters are escaped byte for byte as before`() {
        #expect(written("a\"b\\c\nd\re\tf") == #""a\"b\\c\nd\re\tf""#)
        #expect(written("<b>&</b>") == #""\u003cb\u003e\u0026\u003c/b\u003e""#)
        #expect(written("\u{0}\u{1}\u{1F}\u{7F}") == #""\u0000\u0001\u001f\u007f""#)
        #expect(written("x\u{2028}y\u{2029}z") == #""x\u2028y\u2029z""#)
        // Other scalars starting with the byte E2 pass through: – € ≠ and an emoji.
        #expect(written("– € ≠ 🚀 é") == "\"– € ≠ 🚀 é\"")
        #expect(written("") == "\"\"")
        // Foundation's reader drops U+FEFF, so it is checked here rather than read back.
        #expect(written("a\u{FEFF}b") == "\"a\u{FEFF}b\"")
        #expect(written("\u{2028}") == #""\u2028""#)
    }

    @Test func `every string reads back the same`() throws {
        var samples = ["plain", "\u{2028}\u{2029}", "–\u{2028}–", "</script><script>alert(1)</script>", "\\\"\\"]
        var scalars: [Unicode.Scalar] = (0..<0x80).compactMap(Unicode.Scalar.init)
        scalars += ["é", "–", "€", "\u{2027}", "\u{2028}", "\u{2029}", "\u{202A}", "🚀"]
        var generator = SplitMix(seed: 2028)
        for _ in 0..<200 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0..<40, using: &generator) { s.append(scalars.randomElement(using: &generator)!) }
            samples.append(String(s))
        }
        for sample in samples {
            let json = written(sample)
            for forbidden in ["<", ">", "&", "\u{2028}", "\u{2029}", "\n"] {
                #expect(!json.contains(forbidden), "\(forbidden.debugDescription) in \(json.debugDescription)")
            }
            let back = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
            #expect(back as? String == sample)
        }
    }
}
