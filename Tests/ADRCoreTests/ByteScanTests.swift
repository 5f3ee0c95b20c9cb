import Testing
import TestSupport
@testable import ADRCore

/// The escapes and the mention filter step over blocks of 8 bytes (`ByteScan`): on seeded
/// inputs, with special bytes at every place of a block and across block ends, they must give
/// what a plain byte-by-byte loop gives.
@Suite struct ByteScanTests {
    /// Strings of plain text with a few special bytes, of lengths around block sizes.
    static func samples(seed: UInt64) -> [[UInt8]] {
        let pieces: [[UInt8]] = ["a", "Z", " ", "0", "&", "<", ">", "\"", "'", "\\", "\n", "\t", "\u{1}", "\u{7F}",
                                 "é", "–", "€", "\u{2028}", "\u{2029}", "🚀", "adr", "ADR", "aDr", "ad", "r"].map { Array($0.utf8) }
        var generator = SplitMix(seed: seed)
        var out: [[UInt8]] = []
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            let length = generator.pick([0, 1, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33, 47, 48, 64, 100, 300])
            while bytes.count < length {
                bytes += generator.chance(85) ? Array("plain text ".utf8.prefix(generator.below(11) + 1)) : generator.pick(pieces)
            }
            out.append(bytes)
        }
        return out
    }

    static func referenceHTML(_ bytes: [UInt8], apostrophe: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for b in bytes {
            switch b {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case UInt8(ascii: "'") where apostrophe: out += Array("&#39;".utf8)
            default: out.append(b)
            }
        }
        return out
    }

    static func referenceJSON(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{7F}", "\u{2028}", "\u{2029}":
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func referenceContainsADR(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && (0...(bytes.count - 3)).contains { i in
            bytes[i] | 0x20 == 0x61 && bytes[i + 1] | 0x20 == 0x64 && bytes[i + 2] | 0x20 == 0x72
        }
    }

    @Test(arguments: [false, true])
    func `HTML escaping by blocks gives the byte-by-byte result, as cmark and as swift-mustache escape (seeded)`(apostrophe: Bool) {
        for sample in Self.samples(seed: apostrophe ? 22 : 16) {
            var out: [UInt8] = []
            sample.withUnsafeBufferPointer { HTMLEscape.escape($0, into: &out, apostrophe: apostrophe) }
            #expect(out == Self.referenceHTML(sample, apostrophe: apostrophe), "\(sample)")
        }
    }

    @Test func `JSON escaping by blocks gives the scalar-by-scalar result (seeded)`() {
        for sample in Self.samples(seed: 17) {
            let s = String(decoding: sample, as: UTF8.self)
            var w = JSONWriter(pretty: false)
            w.value(s)
            #expect(w.string == Self.referenceJSON(s), "\(sample)")
        }
    }

    @Test func `a skip stops at the first word holding a special byte, never past one (seeded)`() {
        let cases: [(apostrophe: Bool, special: Set<UInt8>)] = [(false, [0x26, 0x3C, 0x3E, 0x22]), (true, [0x26, 0x3C, 0x3E, 0x22, 0x27])]
        for (apostrophe, special) in cases {
            for sample in Self.samples(seed: apostrophe ? 20 : 19) {
                sample.withUnsafeBufferPointer { p in
                    var from = 0
                    while from < p.count {
                        let i = ByteScan.skipHTMLPlain(p, from: from, apostrophe: apostrophe)
                        #expect(i >= from && (i - from) % 8 == 0 && !p[from..<i].contains(where: special.contains), "\(sample) \(from)")
                        #expect(i + 8 > p.count || p[i..<(i + 8)].contains(where: special.contains), "\(sample) \(from)")
                        from = i + 1
                    }
                }
            }
        }
    }

    @Test func `the mention filter finds "adr" wherever it is (seeded)`() {
        var found = 0
        for sample in Self.samples(seed: 18) {
            let fast = sample.withUnsafeBufferPointer { ByteScan.containsADR($0) }
            #expect(fast == Self.referenceContainsADR(sample), "\(sample)")
            if fast { found += 1 }
        }
        #expect(found > 100)
        // At every place of a block, and across the end of one.
        for length in [3, 8, 9, 10, 11, 16, 17, 18, 19, 33, 40] {
            for at in 0...(length - 3) {
                var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                bytes.replaceSubrange(at..<(at + 3), with: Array("AdR".utf8))
                #expect(bytes.withUnsafeBufferPointer { ByteScan.containsADR($0) }, "\(length) \(at)")
            }
        }
    }

    /// The scan of a block's words passes over plain bytes and over words that start nothing in
    /// one loop (`Scan.nextCandidate`); a byte at a time, with the word rule written out here,
    /// it must stop at the same places.
    @Test func `the word scan stops where a byte-by-byte reading of the words would (seeded)`() {
        func reference(_ b: [UInt8], from start: Int) -> Int {
            var i = start
            while i < b.count {
                let cls = Scan.byteClass[Int(b[i])]
                if cls == 0 {
                    if b[i] == InlineRun.linkStart || b[i] == InlineRun.linkEnd { return i }
                    i += 1
                    continue
                }
                if cls & (Scan.startsKeyword | Scan.startsFollowUp | Scan.startsMention) != 0 { return i }
                repeat { i += 1 } while i < b.count && Scan.byteClass[Int(b[i])] != 0
            }
            return b.count
        }
        let pieces: [[UInt8]] = ["supersedes", "Amends", "follow-up", "ADR-12", "adr", "the", "system", " ", "  ", ",", "(",
                                 "\u{1}", "\u{2}", "é", "日本", "x9", "_", "-", "\n", "Relates to", "fix"].map { Array($0.utf8) }
        var generator = SplitMix(seed: 21)
        var stops = 0
        for _ in 0..<2000 {
            var b: [UInt8] = []
            for _ in 0..<generator.below(30) { b += generator.pick(pieces) }
            for from in 0...b.count {
                let fast = b.withUnsafeBufferPointer { Scan.nextCandidate($0, from: from) }
                #expect(fast == reference(b, from: from), "\(String(decoding: b, as: UTF8.self).debugDescription) from \(from)")
                if fast < b.count { stops += 1 }
            }
        }
        #expect(stops > 1000)
    }
}

