import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches folders (recursively) with inotify and reports that something changed. Editors
/// save in many ways (write in place, write a temporary file and rename it over, delete and
/// recreate); all of them end in one of the events watched here.
final class Watcher: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var watches: [Int32: String] = [:]
    private var continuation: AsyncStream<Void>.Continuation?
    private var thread: Thread?

    /// Folders never watched: adrsite's own output and hidden folders.
    static func skip(_ name: String) -> Bool { name.hasPrefix(".") || name == "node_modules" }

    init(folders: [String]) throws {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw WatcherError(message: "cannot watch files: \(String(cString: strerror(errno)))") }
        for folder in folders { addRecursively(folder) }
    }

    deinit {
        close(fd)
    }

    private static let mask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO
                                     | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB)

    private func addRecursively(_ folder: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        if FileManager.default.fileExists(atPath: folder + "/.adrsite-output") { return }
        let wd = inotify_add_watch(fd, folder, Watcher.mask)
        if wd >= 0 {
            lock.lock()
            watches[wd] = folder
            lock.unlock()
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where !Watcher.skip(name) {
            let path = folder + "/" + name
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                addRecursively(path)
            }
        }
    }

    /// One element per batch of file events.
    func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.continuation = continuation
        let thread = Thread { [self] in self.readLoop() }
        thread.name = "adrsite-watcher"
        self.thread = thread
        thread.start()
        return stream
    }

    private func readLoop() {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            if n == 0 { return }
            var offset = 0
            var newFolders: [String] = []
            while offset + MemoryLayout<inotify_event>.size <= n {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameLength = Int(event.len)
                var name = ""
                if nameLength > 0 {
                    let start = buffer.advanced(by: offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
                    name = String(cString: start)
                }
                if event.mask & UInt32(IN_ISDIR) != 0 && event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 && !Watcher.skip(name) {
                    lock.lock()
                    let parent = watches[event.wd]
                    lock.unlock()
                    if let parent { newFolders.append(parent + "/" + name) }
                }
                offset += MemoryLayout<inotify_event>.size + nameLength
            }
            for folder in newFolders { addRecursively(folder) }
            continuation?.yield(())
        }
    }
}

struct WatcherError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
