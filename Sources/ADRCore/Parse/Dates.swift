/// A day on the calendar, with no time and no time zone: `2020-11-09` stays `2020-11-09`
/// wherever the site is built.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2200).contains(year), (1...12).contains(month), day >= 1,
              day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// Finds dates in the ways people write them in ADRs.
enum Dates {
    struct Found: Equatable {
        var date: CalendarDate
        /// Set when the text was not a valid date as written and was read the human way.
        var note: String?
    }

    private static let months: [(String, Int)] = [
        ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6), ("july", 7),
        ("august", 8), ("september", 9), ("october", 10), ("november", 11), ("december", 12),
        ("sept", 9), ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("jun", 6), ("jul", 7), ("aug", 8),
        ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12),
    ]

    /// The first date in `text`: `2020-11-09`, `2020/11/09`, `2020-11-09 10:30`, `2020-Nov-09`,
    /// `09/11/2020` (day first unless that is impossible), `11/21/21`, `9 November 2020`,
    /// `November 9, 2020`. A year and month alone is not a date.
    static func find(in text: String) -> Found? {
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            let startsToken = i == 0 || !(isDigit(b[i - 1]) || isLetter(b[i - 1]))
            if startsToken {
                if isDigit(b[i]), let found = numeric(b, at: i) { return found }
                if isLetter(b[i]), let found = monthFirst(b, at: i) { return found }
            }
            i += 1
        }
        return nil
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }

    private static func readNumber(_ b: [UInt8], _ i: inout Int) -> (value: Int, digits: Int)? {
        let start = i
        var value = 0
        while i < b.count && isDigit(b[i]) && i - start < 5 {
            value = value * 10 + Int(b[i] - 48)
            i += 1
        }
        if i < b.count && isDigit(b[i]) { return nil }   // too long to be part of a date
        return i > start ? (value, i - start) : nil
    }

    private static func readMonthName(_ b: [UInt8], _ i: inout Int) -> Int? {
        let start = i
        while i < b.count && isLetter(b[i]) { i += 1 }
        let word = String(decoding: b[start..<i], as: UTF8.self).lowercased()
        for (name, month) in months where word == name {
            if i < b.count && b[i] == UInt8(ascii: ".") { i += 1 }
            return month
        }
        i = start
        return nil
    }

    private static func twoDigitYear(_ n: (value: Int, digits: Int)) -> Int? {
        if n.digits == 4 { return n.value }
        if n.digits == 2 { return 2000 + n.value }
        return nil
    }

    private static func numeric(_ b: [UInt8], at start: Int) -> Found? {
        var i = start
        guard let a = readNumber(b, &i) else { return nil }
        if a.digits <= 2, i + 2 < b.count, b[i + 2] == UInt8(ascii: " "),
           ["st", "nd", "rd", "th"].contains(String(decoding: b[i..<(i + 2)], as: UTF8.self).lowercased()) {
            i += 2   // 9th November 2020
        }
        guard i < b.count else { return nil }
        let sep = b[i]
        if a.digits == 4 {
            // Year first: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY-Mon-DD.
            guard sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") || sep == UInt8(ascii: ".") else { return nil }
            i += 1
            var monthValue: Int
            var monthByName = false
            if i < b.count && isLetter(b[i]) {
                guard let m = readMonthName(b, &i) else { return nil }
                monthValue = m
                monthByName = true
            } else {
                guard let m = readNumber(b, &i), m.digits <= 2 else { return nil }
                monthValue = m.value
            }
            guard i < b.count, b[i] == sep else { return nil }
            i += 1
            guard let d = readNumber(b, &i), d.digits <= 2 else { return nil }
            if i < b.count && isLetter(b[i]) && !(b[i] == UInt8(ascii: "T")) { return nil }
            if let date = CalendarDate(year: a.value, month: monthValue, day: d.value) {
                return Found(date: date)
            }
            if !monthByName, let swapped = CalendarDate(year: a.value, month: d.value, day: monthValue) {
                let written = String(decoding: b[start..<i], as: UTF8.self)
                return Found(date: swapped, note: "date \(written) has no month \(monthValue); read as \(swapped) (year-day-month)")
            }
            return nil
        }
        guard a.digits <= 2 else { return nil }
        if sep == UInt8(ascii: "/") || sep == UInt8(ascii: ".") || sep == UInt8(ascii: "-") {
            i += 1
            if i < b.count && isLetter(b[i]) {
                // 09-Nov-2020, 9.Nov.2020
                guard let m = readMonthName(b, &i), i < b.count, b[i] == sep else { return nil }
                i += 1
                guard let y = readNumber(b, &i), let year = twoDigitYear(y),
                      let date = CalendarDate(year: year, month: m, day: a.value) else { return nil }
                return Found(date: date)
            }
            guard let second = readNumber(b, &i), second.digits <= 2, i < b.count, b[i] == sep else { return nil }
            i += 1
            guard let y = readNumber(b, &i), let year = twoDigitYear(y) else { return nil }
            // Day first, as written in most of the world, unless only month-first is possible.
            if let date = CalendarDate(year: year, month: second.value, day: a.value) { return Found(date: date) }
            if let date = CalendarDate(year: year, month: a.value, day: second.value) { return Found(date: date) }
            return nil
        }
        if sep == UInt8(ascii: " ") {
            // 9 November 2020, 9th Nov 2020
            i += 1
            guard let m = readMonthName(b, &i) else { return nil }
            while i < b.count && (b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: ",")) { i += 1 }
            guard let y = readNumber(b, &i), y.digits == 4,
                  let date = CalendarDate(year: y.value, month: m, day: a.value) else { return nil }
            return Found(date: date)
        }
        return nil
    }

    private static func monthFirst(_ b: [UInt8], at start: Int) -> Found? {
        var i = start
        guard let m = readMonthName(b, &i) else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: " ") else { return nil }
        while i < b.count && b[i] == UInt8(ascii: " ") { i += 1 }
        guard let d = readNumber(b, &i), d.digits <= 2 else { return nil }
        // 1st, 2nd, 3rd, 4th
        if i + 1 < b.count && isLetter(b[i]) && isLetter(b[i + 1]) { i += 2 }
        while i < b.count && (b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: ",")) { i += 1 }
        guard let y = readNumber(b, &i), y.digits == 4,
              let date = CalendarDate(year: y.value, month: m, day: d.value) else { return nil }
        return Found(date: date)
    }
}
