import Testing
@testable import ADRCore

/// `Dates.find` as text: the date it finds, or nil.
private func found(_ text: String) -> String? {
    Dates.find(in: text).map { $0.date.description }
}

@Test(arguments: [
    ("2020-11-09", "2020-11-09"),
    ("2020/11/09", "2020-11-09"),
    ("2020.11.09", "2020-11-09"),
    ("2020-1-9", "2020-01-09"),
    ("2020-11-09 10:30", "2020-11-09"),
    ("2020-11-09 23:59:59", "2020-11-09"),
    ("2020-Nov-09", "2020-11-09"),
    ("2020-nov-09", "2020-11-09"),
    ("2020-November-09", "2020-11-09"),
    ("2024-02-29", "2024-02-29"),
])
func `year-first dates are read as written`(text: String, expected: String) {
    #expect(found(text) == expected)
}

@Test(arguments: [
    "2020-11-09T10:00:00Z",
    "2020-11-09T23:30:00-08:00",
    "2020-11-09T00:30:00+14:00",
    "2020-11-09T23:59:59.999Z",
    "2020-11-09 23:30 PST",
])
func `a date with a time and zone stays the calendar date as written`(text: String) {
    #expect(found(text) == "2020-11-09")
}

@Test(arguments: [
    ("09/11/2020", "2020-11-09"),
    ("9/11/2020", "2020-11-09"),
    ("09.11.2020", "2020-11-09"),
    ("9.11.2020", "2020-11-09"),
    ("09-11-2020", "2020-11-09"),
    ("31/12/2020", "2020-12-31"),
    ("12/21/21", "2021-12-21"),
    ("11/21/2021", "2021-11-21"),
    ("01/02/03", "2003-02-01"),
])
func `numeric dates are day first unless only month first is possible`(text: String, expected: String) {
    #expect(found(text) == expected)
}

@Test(arguments: [
    ("9 November 2020", "2020-11-09"),
    ("09 November 2020", "2020-11-09"),
    ("9th November 2020", "2020-11-09"),
    ("9 Nov 2020", "2020-11-09"),
    ("9 Nov. 2020", "2020-11-09"),
    ("9-Nov-2020", "2020-11-09"),
    ("November 9, 2020", "2020-11-09"),
    ("November 9 2020", "2020-11-09"),
    ("Nov 9th, 2020", "2020-11-09"),
    ("Nov. 9, 2020", "2020-11-09"),
    ("Sept 21, 2019", "2019-09-21"),
    ("1st March 2021", "2021-03-01"),
    ("March 2nd, 2021", "2021-03-02"),
    ("23rd of March 2021", "2021-03-23"),
    ("Monday, 9 November 2020", "2020-11-09"),
    ("Monday, November 9, 2020", "2020-11-09"),
    ("NOVEMBER 9, 2020", "2020-11-09"),
])
func `English dates with month names are read`(text: String, expected: String) {
    #expect(found(text) == expected)
}

@Test(arguments: [
    // French
    ("9 novembre 2020", "2020-11-09"),
    ("1er janvier 2021", "2021-01-01"),
    ("14 février 2022", "2022-02-14"),
    ("15 août 2019", "2019-08-15"),
    ("3 décembre 2020", "2020-12-03"),
    ("lundi 9 novembre 2020", "2020-11-09"),
    ("9\u{00A0}novembre\u{00A0}2020", "2020-11-09"),
    ("le 1er mai 2020", "2020-05-01"),
    ("1 FÉVRIER 2021", "2021-02-01"),
    ("1 fevrier 2021", "2021-02-01"),
    // German
    ("9. November 2020", "2020-11-09"),
    ("1. März 2021", "2021-03-01"),
    ("24. Dezember 2020", "2020-12-24"),
    ("3. Mai 2022", "2022-05-03"),
    ("3. Maerz 2022", "2022-03-03"),
    ("Montag, 9. Nov. 2020", "2020-11-09"),
    ("12. Oktober 2021", "2021-10-12"),
    // Spanish
    ("9 de noviembre de 2020", "2020-11-09"),
    ("9 de noviembre del 2020", "2020-11-09"),
    ("1 de enero de 2021", "2021-01-01"),
    ("20 de septiembre de 2019", "2019-09-20"),
    ("7 de julio de 2022", "2022-07-07"),
])
func `dates written with French, German and Spanish month names are read`(text: String, expected: String) {
    #expect(found(text) == expected)
}

@Test(arguments: [
    ("Accepted on 2020-11-09 by the board", "2020-11-09"),
    ("Date: 2020-11-09", "2020-11-09"),
    ("(2020-11-09)", "2020-11-09"),
    ("Accepted, 9 November 2020", "2020-11-09"),
    ("approved in the meeting of November 9, 2020.", "2020-11-09"),
    ("Proposed 2020-10-01, accepted 2020-11-09", "2020-10-01"),
])
func `the first date inside a sentence is found`(text: String, expected: String) {
    #expect(found(text) == expected)
}

@Test(arguments: [
    "2022-09",
    "2022/09",
    "September 2022",
    "Sept. 2022",
    "Q3 2022",
    "2022",
    "",
    "soon",
    "TBD",
    "n/a",
    "YYYY-MM-DD",
    "[date]",
])
func `partial dates and placeholders give no date`(text: String) {
    #expect(found(text) == nil)
}

@Test(arguments: [
    "2023-02-30",    // no 30 February, and no month 30
    "2021-02-29",    // not a leap year
    "31/02/2020",
    "32/01/2020",
    "13/13/2020",
    "2020-00-10",
    "0000-00-00",
    "1066-10-14",    // not a date of an architecture decision
    "9999-12-31",
])
func `impossible dates give no date`(text: String) {
    #expect(found(text) == nil)
}

@Test(arguments: [
    "v1.2.3",
    "version 1.10.2",
    "192.168.1.1",
    "10.0.0.1",
    "1.2.3.4",
    "ADR-0012",
    "#1811",
    "20201109-use-x.md",
    "call 555-12-2020x",
])
func `numbers that are not dates give no date`(text: String) {
    #expect(found(text) == nil)
}

@Test func `a date with no month 13 is read year-day-month, with a note`() {
    let result = Dates.find(in: "2023-13-10")
    #expect(result?.date.description == "2023-10-13")
    #expect(result?.note?.contains("2023-13-10") == true)
    #expect(result?.note?.contains("2023-10-13") == true)
}

@Test func `a valid date carries no note`() {
    #expect(Dates.find(in: "2023-10-12")?.note == nil)
    #expect(Dates.find(in: "12/10/2023")?.note == nil)
}

@Test func `a date written with a month name is never read year-day-month`() {
    #expect(found("2020-Nov-31") == nil)
}

@Test func `calendar dates compare by day and print as YYYY-MM-DD`() {
    let a = CalendarDate(year: 2020, month: 11, day: 9)!
    let b = CalendarDate(year: 2020, month: 12, day: 1)!
    let c = CalendarDate(year: 2021, month: 1, day: 1)!
    #expect(a < b && b < c)
    #expect(a.description == "2020-11-09")
    #expect(CalendarDate(year: 1999, month: 2, day: 3)?.description == "1999-02-03")
    #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)   // divisible by 400
    #expect(CalendarDate(year: 2100, month: 2, day: 29) == nil)   // divisible by 100
    #expect(CalendarDate(year: 2020, month: 4, day: 31) == nil)
}

// MARK: - Through the parser

@Test func `a Date line gives the decision's date`() {
    #expect(parse("# T\n\nDate: 2020-11-09\n\n## Status\n\nAccepted\n").date?.description == "2020-11-09")
    #expect(parse("# T\n\n* Date: 9 November 2020\n* Status: Accepted\n").date?.description == "2020-11-09")
    #expect(parse("# T\n\n**Date:** 2020.11.09\n").date?.description == "2020-11-09")
    #expect(parse("# T\n\nDatum: 9. November 2020\n").date?.description == "2020-11-09")
    #expect(parse("# T\n\nFecha: 9 de noviembre de 2020\n").date?.description == "2020-11-09")
}

@Test func `a front matter date with a time stays the date as written`() {
    let d = parse("---\ndate: 2020-11-09T23:30:00-08:00\n---\n# T\n")
    #expect(d.date?.description == "2020-11-09")
    let quoted = parse("---\ndate: \"2020-11-09\"\n---\n# T\n")
    #expect(quoted.date?.description == "2020-11-09")
}

@Test func `an impossible date in a Date line is read year-day-month with a warning at the line`() {
    let d = parse("# T\n\nDate: 2023-13-10\n")
    #expect(d.date?.description == "2023-10-13")
    let notes = d.diagnostics.filter { $0.message.contains("year-day-month") }
    #expect(notes.count == 1)
    #expect(notes.first?.line == 3)
}

@Test func `a partial date in a Date line gives no date`() {
    #expect(parse("# T\n\nDate: 2022-09\n").date == nil)
}

@Test func `a date next to the status counts when there is no Date line`() {
    let d = parse("# T\n\n## Status\n\nAccepted on 9 November 2020\n")
    #expect(d.status == "accepted")
    #expect(d.date?.description == "2020-11-09")
}

@Test func `a Date line wins over a date next to the status and over the file name`() {
    let d = parse("# T\n\nDate: 2021-01-02\n\n## Status\n\nAccepted 2020-11-09\n", name: "20190101-t.md")
    #expect(d.date?.description == "2021-01-02")
}

@Test func `the file name gives the date when the text has none`() {
    #expect(parse("# T\n\n## Status\n\nAccepted\n", name: "20200926-t.md").date?.description == "2020-09-26")
    #expect(parse("# T\n", name: "2022-02-07-tracing/README.md").date?.description == "2022-02-07")
}
