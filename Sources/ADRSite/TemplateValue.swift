import Foundation

/// A value handed to templates: the view models of templates/README.md are built from these.
public enum TemplateValue: Sendable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case string(String)
    /// Text already in UTF-8 bytes (a rendered body): rendered as a string is, without being
    /// made into a `String` first.
    case utf8([UInt8])
    case bool(Bool)
    case int(Int)
    case list([TemplateValue])
    case object(TemplateObject)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    /// An object of the pages' names: `[.title: "…", .url: "…"]`; a name given twice keeps its
    /// last value. (`named` makes one with any names.)
    public init(dictionaryLiteral elements: (TemplateName, TemplateValue)...) {
        self = .object(TemplateObject(elements))
    }

    /// An object with any names: `.named(["name": "Ada"])`.
    public static func named(_ values: KeyValuePairs<String, TemplateValue>) -> TemplateValue {
        var object = TemplateObject()
        for (name, value) in values { object[TemplateKey(name)] = value }
        return .object(object)
    }

    public static func strings(_ values: [String]) -> TemplateValue { .list(values.map { .string($0) }) }

    /// The same value as plain Swift values, for swift-mustache.
    var any: Any {
        switch self {
        case .string(let s): return s
        case .utf8(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .bool(let b): return b
        case .int(let i): return i
        case .list(let items): return items.map(\.any)
        case .object(let object):
            var values: [String: Any] = [:]
            for (key, value) in object.entries { values[key.name] = value.any }
            return values
        }
    }
}

/// The names adrsite's pages give their values (templates/README.md documents each). A
/// template's name is turned into a `TemplateKey` once, when the template is compiled, so that
/// looking a value up while rendering compares numbers instead of hashing strings.
public enum TemplateName: Int32, CaseIterable, Sendable {
    case addressed, addressedBy, addressedCount, addressedFollowUps, addressedItems, anchor
    case badgeLabel, badgeTitle, badgeURL, banner, body
    case category, categoryChips, checked, chips, color, count
    case date, deciders, decision, decisionCount, decisionURL, decisions, defaultSort, dimmed, done
    case editURL, entries, entryID, extraHead, feedID, followUp, followUpCount, followUps, followUpsAnchor
    case generator, groups
    case hasAddressed, hasCategories, hasCategory, hasDate, hasDates, hasDeciders, hasDiagrams, hasFollowUps
    case hasGroups, hasNumber, hasNumbers, hasOpen, hasOpenFollowUps, hasOutline, hasRelations, hasStatus
    case hasSuccessors, hasTags
    case id, isDeprecated, isFollowUps, isIndex, isRejected, isSub, isSuperseded, isTask, items
    case kind, label, labelTextLength, labelWidth, labelX, lang, level, link, loc, logHasFollowUps
    case message, messageTextLength, messageWidth, messageX
    case next, number, numberLabel, open, openCount, openFollowUps, openItems, outline
    case pageTitle, previous, relations, root
    case selfLink, siteLink, siteTitle, sortDate, sortNumber, source, status, statusCategory, successors, summary
    case tags, text, textColor, title, updated, url, urls, value, width

    /// The name as templates write it: the case's own name.
    public var name: String { Self.names[Int(rawValue)] }

    static let names: [String] = allCases.map { String(describing: $0) }
}

/// A name looked up in a template's values, as a number: a `TemplateName`'s raw value, or for
/// any other name (a team's template, a test's data) a number given to it the first time it is
/// seen, after all of `TemplateName`'s.
public struct TemplateKey: Hashable, Sendable {
    let id: Int32

    public init(_ name: TemplateName) { id = name.rawValue }

    public init(_ name: String) { id = Self.table.id(of: name) }

    public var name: String { Self.table.name(of: id) }

    /// The names of the keys; those of `TemplateName` are there from the start.
    private final class Table: @unchecked Sendable {
        private let lock = NSLock()
        private var names = TemplateName.names
        private var ids = Dictionary(uniqueKeysWithValues: TemplateName.allCases.map { ($0.name, $0.rawValue) })

        func id(of name: String) -> Int32 {
            lock.withLock {
                if let id = ids[name] { return id }
                let id = Int32(names.count)
                names.append(name)
                ids[name] = id
                return id
            }
        }

        func name(of id: Int32) -> String { lock.withLock { names[Int(id)] } }
    }

    private static let table = Table()
}

/// The values of a template object, by key. Pages give a dozen to a few dozen values per object,
/// so the keys are searched in order: comparing numbers costs less than hashing a name. A bit per
/// key below 128 (every `TemplateName`) says whether the object has it, so that a name looked up
/// through the objects of a context stack that lack it (`{{root}}` inside a list of decisions)
/// is not searched for in each of them.
public struct TemplateObject: Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [(key: TemplateKey, value: TemplateValue)] = []
    private var present: (low: UInt64, high: UInt64) = (0, 0)

    /// Whether the object may have `key`: false only when it surely has not.
    @inline(__always)
    private func mayHave(_ key: TemplateKey) -> Bool {
        switch key.id {
        case 0..<64: return present.low & (1 << UInt64(key.id)) != 0
        case 64..<128: return present.high & (1 << UInt64(key.id - 64)) != 0
        default: return true
        }
    }

    private mutating func mark(_ key: TemplateKey, _ on: Bool) {
        switch key.id {
        case 0..<64:
            if on { present.low |= 1 << UInt64(key.id) } else { present.low &= ~(1 << UInt64(key.id)) }
        case 64..<128:
            if on { present.high |= 1 << UInt64(key.id - 64) } else { present.high &= ~(1 << UInt64(key.id - 64)) }
        default:
            break
        }
    }

    public init() {}

    /// The values in order; a name given twice keeps its last value.
    public init(_ elements: [(TemplateName, TemplateValue)]) {
        entries.reserveCapacity(elements.count)
        for (name, value) in elements { self[name] = value }
    }

    /// `[.title: "…", .url: "…"]`.
    public init(dictionaryLiteral elements: (TemplateName, TemplateValue)...) { self.init(elements) }

    public var count: Int { entries.count }

    public mutating func reserveCapacity(_ n: Int) { entries.reserveCapacity(n) }

    public subscript(key: TemplateKey) -> TemplateValue? {
        get {
            guard mayHave(key) else { return nil }
            for entry in entries where entry.key.id == key.id { return entry.value }
            return nil
        }
        set {
            let at = mayHave(key) ? entries.firstIndex { $0.key.id == key.id } : nil
            switch (at, newValue) {
            case let (at?, value?): entries[at].value = value
            case let (at?, nil): entries.remove(at: at); mark(key, false)
            case let (nil, value?): entries.append((key, value)); mark(key, true)
            case (nil, nil): break
            }
        }
    }

    public subscript(name: TemplateName) -> TemplateValue? {
        get { self[TemplateKey(name)] }
        set { self[TemplateKey(name)] = newValue }
    }

    /// The names of the values, in the order they were set.
    public var names: [String] { entries.map(\.key.name) }
}
