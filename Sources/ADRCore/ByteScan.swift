#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Skipping over bytes 8 at a time. Escaping and looking for mentions read every byte of every
/// body, and nearly all of those bytes are plain: testing a word of 8 bytes at once and stepping
/// over it is where the time of those loops went (see site/0027). Each function returns where
/// the byte-by-byte loop that follows must look next; that loop stays the one rule, and the
/// tests compare both with the byte-by-byte result on seeded inputs.
///
/// The words are tested with exact bit tricks on `UInt64` (Swift's `SIMD16` comparisons were
/// compiled lane by lane, through the stack, and made builds twice as slow).
package enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    @inline(__always)
    static func word(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 {
        UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt64.self)
    }

    /// 0x80 in each byte of `x` that is zero, 0 elsewhere (exact: no borrow between bytes).
    @inline(__always)
    static func zeros(_ x: UInt64) -> UInt64 { ~(((x & low7) &+ low7) | x | low7) }

    /// 0x80 in each byte of `x` equal to `b`.
    @inline(__always)
    static func equal(_ x: UInt64, _ b: UInt8) -> UInt64 { zeros(x ^ (ones &* UInt64(b))) }

    /// 0x80 in each byte of `x` below 0x20 (its bits 5, 6 and 7 clear).
    @inline(__always)
    static func controls(_ x: UInt64) -> UInt64 { zeros(x & (ones &* 0xE0)) }

    /// The first index from `i` whose word of 8 holds `&`, `<`, `>` or `"` (the bytes HTML text
    /// escapes), and `'` with `apostrophe` (swift-mustache escapes it too), or the start of the
    /// last, shorter word.
    @inline(__always)
    package static func skipHTMLPlain(_ p: UnsafeBufferPointer<UInt8>, from i: Int, apostrophe: Bool = false) -> Int {
        var i = i
        let quote: UInt8 = apostrophe ? 0x27 : 0x22
        while i + 8 <= p.count {
            let x = word(p, i)
            if equal(x, 0x26) | equal(x, 0x3C) | equal(x, 0x3E) | equal(x, 0x22) | equal(x, quote) != 0 { return i }
            i += 8
        }
        return i
    }

    /// The same for the bytes a JSON string escapes: controls, `"`, `\`, `<`, `>`, `&`, DEL,
    /// and 0xE2 (the first byte of U+2028 and U+2029).
    @inline(__always)
    package static func skipJSONPlain(_ p: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var i = i
        while i + 8 <= p.count {
            let x = word(p, i)
            let special = controls(x) | equal(x, 0x22) | equal(x, 0x5C) | equal(x, 0x3C) | equal(x, 0x3E)
                | equal(x, 0x26) | equal(x, 0x7F) | equal(x, 0xE2)
            if special != 0 { return i }
            i += 8
        }
        return i
    }

    /// Whether `p` holds "adr" in any case, the start of every mention (`ADR-12`).
    package static func containsADR(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let lower = ones &* 0x20
        // Each step looks at the 8 three-byte windows starting in a word.
        while i + 10 <= p.count {
            let a = word(p, i) | lower, d = word(p, i + 1) | lower, r = word(p, i + 2) | lower
            if equal(a, 0x61) & equal(d, 0x64) & equal(r, 0x72) != 0 { return true }
            i += 8
        }
        while i + 3 <= p.count {
            if p[i] | 0x20 == 0x61 && p[i + 1] | 0x20 == 0x64 && p[i + 2] | 0x20 == 0x72 { return true }
            i += 1
        }
        return false
    }
}

/// Searches of bytes with the C library's `memchr` and `memcmp`.
extension UnsafeBufferPointer<UInt8> {
    /// Whether `needle` occurs in the bytes: memchr finds each candidate first byte.
    func containsSequence(_ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard let base = baseAddress, n > 0, count >= n else { return false }
        let first = needle.utf8Start[0]
        var from = 0
        while from <= count - n, let hit = memchr(base + from, Int32(first), count - n + 1 - from) {
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            if memcmp(base + at, needle.utf8Start, n) == 0 { return true }
            from = at + 1
        }
        return false
    }

    /// Whether byte `b` occurs in the bytes.
    func containsByte(_ b: UInt8) -> Bool { firstIndex(ofByte: b) != nil }

    /// Where byte `b` first occurs in the bytes (memchr).
    func firstIndex(ofByte b: UInt8) -> Int? {
        guard let base = baseAddress, count > 0, let hit = memchr(base, Int32(b), count) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }
}
