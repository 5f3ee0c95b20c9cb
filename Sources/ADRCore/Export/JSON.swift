/// A small JSON writer: keys in the order written (so output is byte-identical between runs),
/// strings escaped so that the text is also safe inside an HTML `<script>` element.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var stack: [(isArray: Bool, count: Int)] = []
    private var afterKey = false
    private let pretty: Bool

    /// `baseDepth`: the indentation the written value starts at, so that a value written on
    /// its own can be placed inside a larger document (see `rawValue`).
    public init(pretty: Bool = true, baseDepth: Int = 0, capacity: Int = 1 << 16) {
        self.pretty = pretty
        self.baseDepth = baseDepth
        bytes.reserveCapacity(capacity)
    }

    private let baseDepth: Int

    /// The written bytes and a final line break, taken out of the writer (no copy).
    public mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        swap(&out, &bytes)
        out.append(0x0A)
        return out
    }

    /// A value written by another writer (with the right `baseDepth`), as it is.
    public mutating func rawValue(_ value: [UInt8]) {
        beforeValue()
        bytes.append(contentsOf: value)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Text around the JSON, as it is: the assignment of a script that carries a value
    /// (`window.x = ` before it, `;` after it).
    public mutating func verbatim(_ text: String) { raw(text) }

    private mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    private mutating func newline(_ depth: Int) {
        guard pretty else { return }
        bytes.append(0x0A)
        for _ in 0..<(depth + baseDepth) { bytes.append(0x20); bytes.append(0x20) }
    }

    /// Comma and line break before a value that is an array element.
    private mutating func beforeValue() {
        if afterKey {
            afterKey = false
            return
        }
        guard !stack.isEmpty else { return }
        if stack[stack.count - 1].count > 0 { bytes.append(UInt8(ascii: ",")) }
        stack[stack.count - 1].count += 1
        newline(stack.count)
    }

    public mutating func beginObject() { beforeValue(); raw("{"); stack.append((false, 0)) }
    public mutating func beginArray() { beforeValue(); raw("["); stack.append((true, 0)) }
    public mutating func endObject() { close("}") }
    public mutating func endArray() { close("]") }

    private mutating func close(_ bracket: String) {
        let top = stack.removeLast()
        if top.count > 0 { newline(stack.count) }
        raw(bracket)
    }

    /// `"key": `; the value follows.
    public mutating func key(_ k: String) {
        if stack[stack.count - 1].count > 0 { bytes.append(UInt8(ascii: ",")) }
        stack[stack.count - 1].count += 1
        newline(stack.count)
        string(k)
        raw(pretty ? ": " : ":")
        afterKey = true
    }

    public mutating func value(_ s: String?) {
        beforeValue()
        if let s { string(s) } else { raw("null") }
    }

    public mutating func value(_ n: Int?) {
        beforeValue()
        if let n { raw(String(n)) } else { raw("null") }
    }

    public mutating func value(_ b: Bool) { beforeValue(); raw(b ? "true" : "false") }

    public mutating func field(_ k: String, _ s: String?) { key(k); value(s) }
    public mutating func field(_ k: String, _ n: Int?) { key(k); value(n) }
    public mutating func field(_ k: String, _ b: Bool) { key(k); value(b) }
    public mutating func field(_ k: String, _ strings: [String]) {
        key(k)
        beginArray()
        for s in strings { value(s) }
        endArray()
    }

    /// Bytes that go into a JSON string as they are (everything but controls, `"`, `\`, `<`,
    /// `>`, `&`, DEL and the start of U+2028/U+2029).
    private static let plain: [Bool] = {
        var t = [Bool](repeating: true, count: 256)
        for b in 0..<0x20 { t[b] = false }
        for c in "\"\\<>&".utf8 { t[Int(c)] = false }
        t[0x7F] = false
        t[0xE2] = false
        return t
    }()

    private mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { escape($0) }
    }

    /// A JSON string of valid UTF-8: runs of plain bytes are copied whole; quotes, backslashes,
    /// control characters, `<`, `>`, `&`, DEL, U+2028 and U+2029 are escaped.
    private mutating func escape(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        let hex: StaticString = "0123456789abcdef"
        func hexDigit(_ v: UInt32) -> UInt8 { hex.utf8Start[Int(v & 0xF)] }
        var start = 0
        var k = 0
        let n = utf8.count
        let plain = JSONWriter.plain
        while k < n {
            // Words of plain bytes are stepped over; the word with another, byte by byte.
            k = ByteScan.skipJSONPlain(utf8, from: k)
            let end = min(k + 8, n)
            while k < end {
                let b = utf8[k]
                if plain[Int(b)] { k += 1; continue }
                let v: UInt32
                var width = 1
                if b >= 0x80 {
                    // Only U+2028 and U+2029 (E2 80 A8, E2 80 A9) are escaped among non-ASCII scalars.
                    guard b == 0xE2, k + 2 < n, utf8[k + 1] == 0x80, utf8[k + 2] == 0xA8 || utf8[k + 2] == 0xA9 else {
                        k += 1
                        continue
                    }
                    v = utf8[k + 2] == 0xA8 ? 0x2028 : 0x2029
                    width = 3
                } else {
                    v = UInt32(b)
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<k]))
                switch v {
                case 0x22: raw("\\\"")
                case 0x5C: raw("\\\\")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                default:
                    raw("\\u")
                    bytes.append(hexDigit(v >> 12))
                    bytes.append(hexDigit(v >> 8))
                    bytes.append(hexDigit(v >> 4))
                    bytes.append(hexDigit(v))
                }
                k += width
                start = k
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<n]))
        bytes.append(UInt8(ascii: "\""))
    }
}
