/// `Calls.json`, `Recordings.json` and `Calls/{CA}/Recordings.json`: filters,
/// paging and page URIs. Date filters narrow the walked range first (start
/// times never increase down the list), so huge accounts stay cheap.
extension TwilioSimulator {
    static let callStatuses: Set<String> = ["queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"]
    private static let pagingKeys: Set<String> = ["PageSize", "Page", "PageToken"]
    /// Longest a call or recording can start before its end or creation time.
    private static let slack = 200

    func listCalls(_ q: QueryParameters, path: String, _ rt: Runtime) -> SimulatorReply {
        let g = rt.generator
        var lower = 0
        var upper = g.count
        var predicates: [(SimulatedCall) -> Bool] = []

        if let status = q["Status"] {
            guard Self.callStatuses.contains(status) else { return .error(.invalidParameter("Status", status), json: true) }
            predicates.append { $0.status == status }
        }
        for key in ["To", "From", "ParentCallSid"] {
            guard let value = q[key] else { continue }
            predicates.append { call in
                switch key {
                case "To": call.to == value
                case "From": call.from == value
                default: call.parentCallSid == value
                }
            }
        }
        for field in ["StartTime", "EndTime"] {
            for op in ["", ">", "<"] {
                let key = field + op
                guard let text = q[key] else { continue }
                guard let day = TwilioDate.parseDay(text) else { return .error(.invalidParameter(key, text), json: true) }
                let dayStart = day * 86_400
                let dayEnd = dayStart + 86_400
                let isStart = field == "StartTime"
                let margin = isStart ? 0 : Self.slack
                // On or after the day starts / before it starts / within it.
                if op != "<" { upper = min(upper, firstIndex(startingBefore: dayStart - margin, g)) }
                if op != ">" { lower = max(lower, firstIndex(startingBefore: (op == "" ? dayEnd : dayStart), g)) }
                predicates.append { call in
                    let t = Int((isStart ? call.startTime : call.endTime).timeIntervalSince1970)
                    switch op {
                    case ">": return t >= dayStart
                    case "<": return t < dayStart
                    default: return t >= dayStart && t < dayEnd
                    }
                }
            }
        }
        let list = LazyList<SimulatedCall>(range: lower..<max(lower, upper), dense: predicates.isEmpty) { i in
            let call = g.call(i)
            return predicates.allSatisfy { $0(call) } ? call : nil
        }
        return pageReply(list, key: "calls", q: q, path: path) { TwilioPayloads.call($0, accountSid: self.config.accountSid) }
    }

    func listRecordings(_ q: QueryParameters, path: String, callIndex: Int?, _ rt: Runtime) -> SimulatorReply {
        let g = rt.generator
        var lower = 0
        var upper = g.count
        var predicates: [(RecordingSeed) -> Bool] = []
        if let i = callIndex {
            (lower, upper) = (i, i + 1)
        }
        if callIndex == nil, let callSid = q["CallSid"] {
            if let i = g.callIndex(ofSid: callSid) {
                (lower, upper) = (max(lower, i), min(upper, i + 1))
            } else {
                upper = lower
            }
        }
        if callIndex == nil, q["ConferenceSid"] != nil {
            upper = lower  // no conference recordings here
        }
        for op in ["", ">", "<"] {
            let key = "DateCreated" + op
            guard let text = q[key] else { continue }
            guard let day = TwilioDate.parseDay(text) else { return .error(.invalidParameter(key, text), json: true) }
            let dayStart = day * 86_400
            let dayEnd = dayStart + 86_400
            if op != "<" { upper = min(upper, firstIndex(startingBefore: dayStart - Self.slack, g)) }
            if op != ">" { lower = max(lower, firstIndex(startingBefore: op == "" ? dayEnd : dayStart, g)) }
            predicates.append { seed in
                switch op {
                case ">": return seed.start >= dayStart
                case "<": return seed.start < dayStart
                default: return seed.start >= dayStart && seed.start < dayEnd
                }
            }
        }
        upper = max(lower, upper)
        // Two slots per call: its later recording first, then its first one.
        let list = LazyList<RecordingSeed>(range: (lower * 2)..<(upper * 2), dense: false) { pos in
            let wanted = pos % 2 == 0 ? 1 : 0
            guard let seed = g.recordings(ofCall: pos / 2).first(where: { $0.ordinal == wanted }) else { return nil }
            return predicates.allSatisfy { $0(seed) } ? seed : nil
        }
        return pageReply(list, key: "recordings", q: q, path: path) { seed in
            let scenarios = rt.scenarios.scenarios(for: seed.sid)
            let status = self.metadataStatus(seed, scenarios: scenarios, consume: false).0
            let view = self.recordingView(seed, status: status, scenarios: scenarios)
            return callIndex == nil ? TwilioPayloads.accountRecording(view) : TwilioPayloads.callRecording(view)
        }
    }

    /// Smallest call index whose start is before `t` (count if none).
    private func firstIndex(startingBefore t: Int, _ g: CallGenerator) -> Int {
        var lo = 0
        var hi = g.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if g.startTime(mid) < t { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    private func pageReply<Item>(
        _ list: LazyList<Item>, key: String, q: QueryParameters, path: String, render: (Item) -> JSONValue
    ) -> SimulatorReply {
        let request: PageRequest
        switch PageRequest.parse(q) {
        case .success(let r): request = r
        case .failure(let e): return .error(e, json: true)
        }
        let start = request.tokenPosition ?? list.position(ofPage: request.number, size: request.size)
        let page = list.page(from: start, size: request.size)

        let filters = q.pairs.filter { !Self.pagingKeys.contains($0.key) }
            .map { "\(QueryParameters.encode($0.key))=\(QueryParameters.encode($0.value))" }
        func uri(page number: Int, token: Int?) -> String {
            var parts = filters + ["PageSize=\(request.size)", "Page=\(number)"]
            if let token { parts.append("PageToken=\(PageRequest.token(token))") }
            return path + "?" + parts.joined(separator: "&")
        }
        let next = page.nextPosition.map { uri(page: request.number + 1, token: $0) }
        var previous: String?
        if request.number > 0, let before = list.previousPageStart(before: page.firstPosition ?? start, size: request.size) {
            previous = uri(page: request.number - 1, token: before)
        }
        return .json(
            TwilioPayloads.page(
                key: key, items: page.items.map(render), page: request.number, pageSize: request.size,
                uri: uri(page: request.number, token: request.tokenPosition),
                firstPageURI: uri(page: 0, token: nil), nextPageURI: next, previousPageURI: previous))
    }
}
