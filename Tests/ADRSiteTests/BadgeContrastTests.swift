@testable import ADRCore
@testable import ADRSite
import Foundation
import Testing

/// Status colours must be readable: at least 4.5:1 (WCAG AA) against the text drawn on them, in
/// the SVG badges and in both colour schemes of the stylesheet.
@Suite struct BadgeContrastTests {
    static func luminance(_ hex: String) -> Double {
        let v = Int(hex.dropFirst(), radix: 16)!
        let channels = [(v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF].map { Double($0) / 255 }
        let linear = channels.map { $0 <= 0.03928 ? $0 / 12.92 : pow(($0 + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    }

    static func contrast(_ a: String, _ b: String) -> Double {
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test func `badge text widths add up per character, non-ASCII characters at 8`() {
        #expect(Badge.textWidth("accepted") == 51)      // 7 × 6.6 + 4.6 (t)
        #expect(Badge.textWidth("ADR-0001") == 58)      // 7 × 7.5 + 4.6 (-)
        #expect(Badge.textWidth("Mw il") == 32)         // 2 × 10.2 + 4.6 + 2 × 3.5
        #expect(Badge.textWidth("\u{C9}t\u{E9}") == 21)  // É and é, precomposed: 8 + 4.6 + 8
        #expect(Badge.textWidth("E\u{301}te\u{301}") == 21)  // the same written with combining marks
        #expect(Badge.textWidth("a\r\nb") == 20)         // CR LF is one character: 3 × 6.6
        #expect(Badge.textWidth("") == 0)
    }

    @Test func `every SVG badge colour has 4.5:1 contrast with its text`() {
        #expect(Badge.colors.count == StatusCategory.allCases.count)
        for (category, (background, text)) in Badge.colors {
            #expect(Self.contrast(background, text) >= 4.5, "\(category): \(background) on \(text)")
        }
    }

    @Test func `every status colour of the stylesheet, light and dark, has 4.5:1 contrast with white`() throws {
        let css = try Theme.load().text("style.css")
        var found = 0
        for name in StatusCategory.allCases.map(\.rawValue) {
            // Each `--name: #rrggbb` definition (the light scheme, then the dark one).
            for match in css.matches(of: try Regex("--\(name): (#[0-9a-fA-F]{6})")) {
                let color = String(match.output[1].substring!)
                #expect(Self.contrast(color, "#ffffff") >= 4.5, "--\(name): \(color)")
                found += 1
            }
        }
        #expect(found == 2 * StatusCategory.allCases.count)
    }
}
