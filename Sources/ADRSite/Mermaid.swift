import CMermaid

/// Mermaid's browser build, embedded into the binary (vendor/mermaid/, `Sources/CMermaid`).
enum Mermaid {
    static var script: [UInt8] {
        Array(UnsafeBufferPointer(start: adrsite_mermaid_script(), count: Int(adrsite_mermaid_script_size())))
    }
}
