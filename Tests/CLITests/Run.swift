import Foundation

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

/// A new temporary folder holding `files`.
func makeFolder(_ files: [String: String]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adrsite-cli-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (name, text) in files {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }
    return dir
}

/// A value set on one thread and read on another.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

/// Every file and folder under `dir` with its content (folders as nil), for before/after checks.
func treeListing(_ dir: String) -> [String: Data?] {
    var out: [String: Data?] = [:]
    let enumerator = FileManager.default.enumerator(atPath: dir)
    while let path = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDirectory)
        out[path] = isDirectory.boolValue ? nil : FileManager.default.contents(atPath: dir + "/" + path)
    }
    return out
}
