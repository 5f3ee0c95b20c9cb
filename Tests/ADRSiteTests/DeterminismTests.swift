import ADRCore
import ADRSite
import Foundation
import Testing

/// The same log gives the same site, byte for byte, wherever it is written.
@Suite struct DeterminismTests {
    @Test(arguments: ["golden", "hostile"])
    func `two builds of the same log into different folders are byte-identical`(_ fixture: String) throws {
        try withTemporaryFolder("determinism") { dir in
            let input = SiteFixtures.own(fixture)
            try RenderedSite(input).write(to: dir + "/first", input: input)
            try RenderedSite(input).write(to: dir + "/second/deeper/site", input: input)
            let first = snapshotTree(dir + "/first").filter { $0.value.kind == .file }
            let second = snapshotTree(dir + "/second/deeper/site").filter { $0.value.kind == .file }
            #expect(first.keys.sorted() == second.keys.sorted())
            #expect(first.count > 15)
            for (path, entry) in first {
                #expect(entry.bytes != nil && entry.bytes == second[path]?.bytes, "\(path) differs")
            }
        }
    }
}
