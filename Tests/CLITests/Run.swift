import Foundation
@_exported import TestSupport

/// Runs the `adrsite` binary built next to this test bundle.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String

    static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("adrsite").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/debug/adrsite").standardized.path
    }

    /// The project's fixture folders.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ADRCoreTests/Fixtures").standardized.path

    /// Runs adrsite (or `executable`, e.g. a wrapper given adrsite's path among `arguments`); after
    /// `timeout` seconds it is killed and the run fails with status -1, so a hang fails the test.
    @discardableResult
    static func adrsite(_ arguments: [String], in directory: String? = nil, timeout: TimeInterval? = nil,
                        executable: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let killed = Locked(false)
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if process.isRunning { killed.value = true; kill(process.processIdentifier, SIGKILL) }
            }
        }
        // stderr is read on another thread: a process that fills both pipes must not block.
        let errData = Locked(Data())
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData.value = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(status: killed.value ? -1 : process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: (killed.value ? "timed out after \(timeout ?? 0) s\n" : "") + String(decoding: errData.value, as: UTF8.self))
    }
}
