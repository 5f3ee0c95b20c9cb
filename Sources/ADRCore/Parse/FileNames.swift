/// What a file name says about a decision: its number (`0007-x.md`, `ADR-7.md`, `adr-007-x.md`,
/// `013-x.md`) or its date (`20200926-x.md`, `2022-02-07-x/README.md`), never both.
struct FileNameInfo: Equatable {
    var number: Int?
    var date: CalendarDate?
}

enum FileNames {
    /// Reads the stem of a file name (or of a folder, for `slug/README.md`).
    static func info(_ stem: String) -> FileNameInfo {
        let b = Array(stem.utf8)
        func digits(from i: Int) -> Int {
            var j = i
            while j < b.count && b[j] >= 48 && b[j] <= 57 { j += 1 }
            return j - i
        }
        func separatorOrEnd(_ i: Int) -> Bool {
            i >= b.count || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "_") || b[i] == UInt8(ascii: ".")
                || b[i] == UInt8(ascii: " ")
        }
        func number(_ i: Int, _ n: Int) -> Int? {
            guard n > 0 && n <= 9 else { return nil }
            return Int(String(decoding: b[i..<(i + n)], as: UTF8.self))
        }
        let leading = digits(from: 0)
        // YYYY-MM-DD-slug
        if leading == 4, b.count >= 10, b[4] == UInt8(ascii: "-"), digits(from: 5) == 2, b[7] == UInt8(ascii: "-"),
           digits(from: 8) == 2, separatorOrEnd(10),
           let date = CalendarDate(year: number(0, 4)!, month: number(5, 2)!, day: number(8, 2)!) {
            return FileNameInfo(number: nil, date: date)
        }
        // YYYYMMDD-slug (log4brains)
        if leading == 8, separatorOrEnd(8), let year = number(0, 4), year >= 1970, year <= 2200,
           let date = CalendarDate(year: year, month: number(4, 2)!, day: number(6, 2)!) {
            return FileNameInfo(number: nil, date: date)
        }
        if leading > 0 && separatorOrEnd(leading) {
            return FileNameInfo(number: number(0, leading), date: nil)
        }
        // ADR-7, adr-007-x, adr007-x, ADR_12
        if b.count >= 4, b[0] | 0x20 == UInt8(ascii: "a"), b[1] | 0x20 == UInt8(ascii: "d"), b[2] | 0x20 == UInt8(ascii: "r") {
            var i = 3
            if i < b.count && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "_") || b[i] == UInt8(ascii: " ")) { i += 1 }
            let n = digits(from: i)
            if n > 0 && separatorOrEnd(i + n) { return FileNameInfo(number: number(i, n), date: nil) }
        }
        return FileNameInfo(number: nil, date: nil)
    }

    /// The stem turned into words, for a decision that has no title:
    /// `0007-use-postgres_for-storage` → `Use postgres for storage`.
    static func words(_ stem: String) -> String {
        var s = Substring(stem)
        let info = info(stem)
        if info.number != nil || info.date != nil {
            // Drop the number or date prefix and its separator.
            if let date = info.date, s.hasPrefix(date.description) {
                s = s.dropFirst(10)
            } else if info.date != nil {
                s = s.dropFirst(8)
            } else {
                if s.lowercased().hasPrefix("adr") { s = s.dropFirst(3) }
                s = s.drop { $0 == "-" || $0 == "_" || $0 == " " || $0.isNumber }
            }
        }
        let words = s.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " || $0 == "." })
        guard let first = words.first else { return stem }
        let sentence = ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst().map(String.init))
            .joined(separator: " ")
        return sentence
    }
}
