/// The last `capacity` log lines: the log pane's memory stays bounded however
/// long the dashboard runs.
public struct LogRing: Sendable, Equatable {
    public let capacity: Int
    private var storage: [String] = []
    private var head = 0

    public init(capacity: Int = 500) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(self.capacity)
    }

    public var count: Int { storage.count }
    /// Lines ever appended, including those that fell out.
    public private(set) var totalAppended = 0

    public mutating func append(_ line: String) {
        totalAppended += 1
        if storage.count < capacity {
            storage.append(line)
        } else {
            storage[head] = line
            head = (head + 1) % capacity
        }
    }

    /// The newest `n` lines, oldest first.
    public func last(_ n: Int) -> [String] {
        let n = min(max(0, n), storage.count)
        return (storage.count - n..<storage.count).map { storage[(head + $0) % storage.count] }
    }

    public var lines: [String] { last(storage.count) }
}
