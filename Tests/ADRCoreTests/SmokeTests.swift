import Testing
@testable import ADRCore

@Test func `the seed's format is read into title, status, sections and follow-ups`() {
    let d = parse("# T\n\n## Status\n\nAccepted\n")
    #expect(d.title == "T")
    #expect(d.status == "accepted")
}
