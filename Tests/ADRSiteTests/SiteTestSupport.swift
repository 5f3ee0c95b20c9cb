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

/// Builds the site of an ADR directory into a new temporary folder and returns its path.
func buildSite(_ directory: String, options: SiteOptions = SiteOptions(), templates: [String] = []) throws -> String {
    let log = Pipeline.decisionLog(directory)
    let theme = try Theme.load(overrides: templates)
    let files = try SiteRenderer.render(log, theme: theme, options: options,
                                        siteTitle: SiteRenderer.title(for: log, options: options))
    let output = FileManager.default.temporaryDirectory
        .appendingPathComponent("adrsite-site-\(UUID().uuidString)").path
    try SiteWriter.write(files, to: output, input: directory)
    return output
}
