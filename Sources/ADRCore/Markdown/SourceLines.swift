/// Byte ranges of the lines of a text, found once per document.
struct SourceLines {
    let bytes: UnsafeBufferPointer<UInt8>
    private var starts: [Int] = [0]

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                starts.append(i + 1)
            } else if bytes[i] == UInt8(ascii: "\r") {
                if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
    }

    /// The number of lines (a text that ends with a line ending has no empty last line).
    var count: Int { starts.last == bytes.count && starts.count > 1 ? starts.count - 1 : starts.count }

    /// Line `number` (1-based) without its line ending.
    func line(_ number: Int) -> ArraySlice<UInt8>? {
        guard let r = range(number) else { return nil }
        return ArraySlice(bytes[r.start..<r.contentEnd])
    }

    /// Where line `number` (1-based) starts, where its line ending starts, and where it ends.
    func range(_ number: Int) -> (start: Int, contentEnd: Int, end: Int)? {
        guard number >= 1 && number <= starts.count else { return nil }
        let start = starts[number - 1]
        let end = number < starts.count ? starts[number] : bytes.count
        var contentEnd = end
        while contentEnd > start && (bytes[contentEnd - 1] == UInt8(ascii: "\n") || bytes[contentEnd - 1] == UInt8(ascii: "\r")) {
            contentEnd -= 1
        }
        return (start, contentEnd, end)
    }
}
