import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// What every test target needs: temporary folders, files written into them, a seeded random
// generator and a value shared between threads. Each test target re-exports this module.

// MARK: - Temporary folders

/// A new empty temporary folder (its real path, so symbolic links in /tmp do not matter).
public func makeTemporaryFolder(_ label: String = "test") throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("adrsite-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    guard let real = realpath(path, nil) else { return path }
    defer { free(real) }
    return String(cString: real)
}

/// Runs `body` with a new temporary folder that is removed afterwards.
public func withTemporaryFolder<T>(_ label: String = "test", _ body: (String) throws -> T) throws -> T {
    let folder = try makeTemporaryFolder(label)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try body(folder)
}

/// Writes `files` (relative path → text) under `folder`, creating folders as needed.
public func writeFiles(_ files: [String: String], in folder: String) throws {
    for (name, text) in files {
        let path = folder + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// A new temporary folder holding `files` (relative path → text).
public func makeFolder(_ files: [String: String], label: String = "test") throws -> String {
    let dir = try makeTemporaryFolder(label)
    try writeFiles(files, in: dir)
    return dir
}

/// Every file and folder under `dir` with its content (folders as nil), for before/after checks.
public func treeListing(_ dir: String) -> [String: Data?] {
    var out: [String: Data?] = [:]
    let enumerator = FileManager.default.enumerator(atPath: dir)
    while let path = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDirectory)
        out[path] = isDirectory.boolValue ? nil : FileManager.default.contents(atPath: dir + "/" + path)
    }
    return out
}

// MARK: - Generated cases

/// A seeded generator (SplitMix64), so that a generated test case is the same on every run and
/// on every platform.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in `0..<n`.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

// MARK: - Threads

/// A value set on one thread and read on another.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    public init(_ value: Value) { stored = value }
    public var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
