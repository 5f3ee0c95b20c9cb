import ADRCore
import ADRSite
import Foundation
import Testing

/// Fixture folders: the core target's convention fixtures and the project's own site/.
enum SiteFixtures {
    static let testsRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static func core(_ name: String) -> String { testsRoot.appendingPathComponent("ADRCoreTests/Fixtures/\(name)").path }
    static func own(_ name: String) -> String { testsRoot.appendingPathComponent("ADRSiteTests/Fixtures/\(name)").path }
    static var projectSite: String { testsRoot.deletingLastPathComponent().appendingPathComponent("site").path }
}

/// Builds the site of an ADR directory into a new temporary folder (`SiteBuild` on disk, as
/// `adrsite build` does) and returns its path.
func buildSite(_ directory: String, options: SiteOptions = SiteOptions(), templates: [String] = []) throws -> String {
    let output = FileManager.default.temporaryDirectory
        .appendingPathComponent("adrsite-site-\(UUID().uuidString)").path
    let built = SiteBuild.run(buildRequest(directory, options: options, templates: templates), mode: .disk(output: output))
    if let error = built.templateError { throw error }
    if let error = built.writeError { throw error }
    return output
}
