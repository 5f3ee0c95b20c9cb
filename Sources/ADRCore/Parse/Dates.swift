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

    /// Month names and their usual abbreviations in English, French, German and Spanish, with
    /// and without accents.
    private static let months: [String: Int] = {
        var map: [String: Int] = [:]
        let names: [[String]] = [
            ["january", "jan", "janvier", "janv", "januar", "jänner", "janner", "enero", "ene"],
            ["february", "feb", "février", "fevrier", "févr", "fevr", "févr", "februar", "febrero"],
            ["march", "mar", "mars", "märz", "maerz", "marz", "mär", "marzo"],
            ["april", "apr", "avril", "avr", "abril", "abr"],
            ["may", "mai", "mayo"],
            ["june", "jun", "juin", "juni", "junio"],
            ["july", "jul", "juillet", "juil", "juli", "julio"],
            ["august", "aug", "août", "aout", "agosto", "ago"],
            ["september", "sept", "sep", "septembre", "septiembre", "setiembre"],
            ["october", "oct", "octobre", "oktober", "okt", "octubre"],
            ["november", "nov", "novembre", "noviembre"],
            ["december", "dec", "décembre", "decembre", "déc", "dezember", "dez", "diciembre", "dic"],
        ]
        for (index, words) in names.enumerated() {
            for word in words { map[word] = index + 1 }
        }
        return map
    }()

    /// The first date in `text`: `2020-11-09`, `2020/11/09`, `2020-11-09 10:30`, `2020-Nov-09`,
    /// `09/11/2020` (day first unless that is impossible), `11/21/21`, `9 November 2020`,
    /// `November 9, 2020`, `9. November 2020`, `9 de noviembre de 2020`, `1er janvier 2021`.
    /// A year and month alone is not a date.
    static func find(in text: String) -> Found? {
        let b = Array(text.replacingNBSP().utf8)
        var i = 0
        while i < b.count {
            if isDigit(b[i]) {
                if i == 0 || !(isDigit(b[i - 1]) || isLetter(b[i - 1])), let found = numeric(b, at: i) { return found }
            } else if isLetter(b[i]) {
                if i == 0 || !isWordByte(b[i - 1]), let found = monthFirst(b, at: i) { return found }
            }
            i += 1
        }
        return nil
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
    /// ASCII letters and the bytes of non-ASCII characters (`é`, `ä`, `û` in month names).
    private static func isWordByte(_ c: UInt8) -> Bool { isLetter(c) || c >= 0x80 }
    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

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

    /// The word at `i`, lowercased; `i` moves past it.
    private static func readWord(_ b: [UInt8], _ i: inout Int) -> String {
        let start = i
        while i < b.count && isWordByte(b[i]) { i += 1 }
        return String(decoding: b[start..<i], as: UTF8.self).lowercased()
    }

    /// A month name or abbreviation (with an optional `.` after it); `i` moves past it.
    private static func readMonthName(_ b: [UInt8], _ i: inout Int) -> Int? {
        let start = i
        let word = readWord(b, &i)
        if let month = months[word] {
            if i < b.count && b[i] == UInt8(ascii: ".") { i += 1 }
            return month
        }
        i = start
        return nil
    }

    /// Skips spaces, and the words that join a day, month and year in English, French and
    /// Spanish (`23rd of March`, `9 de noviembre del 2020`).
    private static func skipJoiners(_ b: [UInt8], _ i: inout Int, commas: Bool) {
        while true {
            while i < b.count && (isSpace(b[i]) || (commas && b[i] == UInt8(ascii: ","))) { i += 1 }
            var j = i
            let word = readWord(b, &j)
            guard ["of", "de", "del"].contains(word), j < b.count, isSpace(b[j]) else { return }
            i = j
        }
    }

    /// An ordinal ending after a day: `1st`, `2nd`, `3rd`, `9th`, French `1er`.
    private static func skipOrdinal(_ b: [UInt8], _ i: inout Int) {
        guard i + 1 < b.count else { return }
        let suffix = String(decoding: b[i..<(i + 2)], as: UTF8.self).lowercased()
        guard ["st", "nd", "rd", "th", "er"].contains(suffix) else { return }
        if i + 2 == b.count || !isWordByte(b[i + 2]) { i += 2 }
    }

    private static func twoDigitYear(_ n: (value: Int, digits: Int)) -> Int? {
        if n.digits == 4 { return n.value }
        if n.digits == 2 { return 2000 + n.value }
        return nil
    }

    /// Day, then month name, then a four-digit year, from just after the day:
    /// ` November 2020`, ` de noviembre de 2020`, `. März 2021` (after the `.`).
    private static func dayMonthNameYear(_ b: [UInt8], _ i: inout Int, day: Int) -> Found? {
        skipJoiners(b, &i, commas: false)
        guard let m = readMonthName(b, &i) else { return nil }
        skipJoiners(b, &i, commas: true)
        guard let y = readNumber(b, &i), y.digits == 4,
              let date = CalendarDate(year: y.value, month: m, day: day) else { return nil }
        return Found(date: date)
    }

    private static func numeric(_ b: [UInt8], at start: Int) -> Found? {
        var i = start
        guard let a = readNumber(b, &i) else { return nil }
        if a.digits <= 2 { skipOrdinal(b, &i) }   // 9th November 2020, 1er janvier 2021
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
            // `2020-11-09T10:00:00Z` is that day, whatever the time and zone.
            if i < b.count && isLetter(b[i]) && b[i] != UInt8(ascii: "T") { return nil }
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
        if sep == UInt8(ascii: ".") && i + 1 < b.count && isSpace(b[i + 1]) {
            // German: 9. November 2020
            i += 1
            return dayMonthNameYear(b, &i, day: a.value)
        }
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
            if i < b.count && (isLetter(b[i]) || (b[i] == sep && i + 1 < b.count && isDigit(b[i + 1]))) {
                return nil   // 1.10.20.3, 1/2/33x: more than a date
            }
            // Day first, as written in most of the world, unless only month-first is possible.
            if let date = CalendarDate(year: year, month: second.value, day: a.value) { return Found(date: date) }
            if let date = CalendarDate(year: year, month: a.value, day: second.value) { return Found(date: date) }
            return nil
        }
        if isSpace(sep) {
            // 9 November 2020, 9th Nov 2020, 23rd of March 2021, 9 de noviembre de 2020
            return dayMonthNameYear(b, &i, day: a.value)
        }
        return nil
    }

    /// November 9, 2020; Nov 9th 2020; Nov. 9, 2020.
    private static func monthFirst(_ b: [UInt8], at start: Int) -> Found? {
        var i = start
        guard let m = readMonthName(b, &i) else { return nil }
        guard i < b.count, isSpace(b[i]) else { return nil }
        while i < b.count && isSpace(b[i]) { i += 1 }
        guard let d = readNumber(b, &i), d.digits <= 2 else { return nil }
        skipOrdinal(b, &i)
        while i < b.count && (isSpace(b[i]) || b[i] == UInt8(ascii: ",")) { i += 1 }
        guard let y = readNumber(b, &i), y.digits == 4,
              let date = CalendarDate(year: y.value, month: m, day: d.value) else { return nil }
        return Found(date: date)
    }
}
