import Foundation

/// A misbehaviour the simulator can inject, modelled on what Twilio (or a
/// proxy in front of it) really does to downloaders.
public enum Scenario: Sendable, Equatable, CustomStringConvertible {
    /// Metadata says `processing` and media 404s for the first `tries` fetch/media requests.
    case notReady(tries: Int)
    /// The first `times` media requests answer 429 (20429).
    case rateLimited(times: Int)
    /// The first `times` media requests answer 503 (20503).
    case flaky(times: Int)
    /// The first `times` media requests announce the full Content-Length and then drop the connection halfway.
    case truncated(times: Int)
    /// Media answers 200 with an audio Content-Type but an XML RestException body, forever.
    case xmlError
    /// Media answers 302 to a second listener (another port) that serves the audio.
    case redirectOffhost
    /// Twilio kept no audio: status `absent`, error_code 16102, media 404.
    case absent
    /// Media trickles out at this rate.
    case slow(bytesPerSecond: Int)
    /// Every request answers 401, as when the credentials belong to another region.
    case wrongCredentials
    /// The account holds this many calls, generated lazily.
    case manyCalls(count: Int)
    /// The first `times` list-page requests answer 429 (20429), as any REST request does over the account's concurrency limit.
    case pagesRateLimited(times: Int)
    /// After the first list page, the next `times` list-page requests answer 503 (20503).
    case pagesFlaky(times: Int)
    /// The first recordings list page carries one unreadable item (a SID that is not one).
    case pageMalformed
    /// The second page of every list points back at the first through `next_page_uri`.
    case pageLoop
    /// Voice Recording Encryption (#15): encrypted `.wav` bodies, 16109 for `.mp3`.
    case encrypted(EncryptionVariant)

    public static let defaultSlowBytesPerSecond = 10_000
    public static let defaultManyCalls = 20_000

    /// Spec names, in the order help texts list them.
    public static let names = [
        "not_ready", "rate_limited", "flaky", "truncated", "xml_error", "redirect_offhost",
        "absent", "slow", "wrong_credentials", "many_calls",
        "pages_rate_limited", "pages_flaky", "page_malformed", "page_loop",
        "encrypted", "encrypted_fallback", "encrypted_unstored", "encrypted_corrupt",
    ]

    /// Scenarios about list pages: account-wide, never aimed at one recording.
    public var isAboutPages: Bool {
        switch self {
        case .pagesRateLimited, .pagesFlaky, .pageMalformed, .pageLoop: true
        default: false
        }
    }

    public var name: String {
        switch self {
        case .notReady: "not_ready"
        case .rateLimited: "rate_limited"
        case .flaky: "flaky"
        case .truncated: "truncated"
        case .xmlError: "xml_error"
        case .redirectOffhost: "redirect_offhost"
        case .absent: "absent"
        case .slow: "slow"
        case .wrongCredentials: "wrong_credentials"
        case .manyCalls: "many_calls"
        case .pagesRateLimited: "pages_rate_limited"
        case .pagesFlaky: "pages_flaky"
        case .pageMalformed: "page_malformed"
        case .pageLoop: "page_loop"
        case .encrypted(let variant): variant.scenarioName
        }
    }

    /// The `=N` part, when the scenario takes one.
    public var count: Int? {
        switch self {
        case .notReady(let n), .rateLimited(let n), .flaky(let n), .truncated(let n): n
        case .slow(let n): n
        case .manyCalls(let n): n
        case .pagesRateLimited(let n), .pagesFlaky(let n): n
        case .xmlError, .redirectOffhost, .absent, .wrongCredentials, .pageMalformed, .pageLoop, .encrypted: nil
        }
    }

    public var description: String {
        count.map { "\(name)=\($0)" } ?? name
    }
}

/// One scenario and what it applies to.
public struct ScenarioRule: Sendable, Equatable, CustomStringConvertible {
    public enum Target: Sendable, Equatable {
        case all
        /// Position in the account's recording list, newest first (0 = the newest call's recording).
        case recordingIndex(Int)
        case recordingSid(String)
    }

    public var scenario: Scenario
    public var target: Target

    public init(_ scenario: Scenario, target: Target = .all) {
        self.scenario = scenario
        self.target = target
    }

    public var description: String {
        switch target {
        case .all: scenario.description
        case .recordingIndex(let i): "\(scenario)@\(i)"
        case .recordingSid(let sid): "\(scenario)@\(sid)"
        }
    }

    public static let syntaxHelp = """
        scenario syntax: NAME[=N][@TARGET]; NAME is one of \(Scenario.names.joined(separator: ", ")); \
        N is a positive integer (tries for not_ready, times for rate_limited/flaky/truncated/pages_rate_limited/pages_flaky, \
        bytes per second for slow, call count for many_calls; the others take none); \
        TARGET is a recording index (0 = newest call's recording), a recording SID (RE + 32 hex) or "all" (the default)
        """

    public static func parse(_ spec: String) throws -> ScenarioRule {
        let text = spec.trimmingCharacters(in: .whitespaces)
        func fail(_ problem: String) -> ScenarioParseError {
            ScenarioParseError(spec: spec, problem: problem)
        }
        guard !text.isEmpty else { throw fail("empty scenario") }

        var body = Substring(text)
        var target = Target.all
        if let at = body.firstIndex(of: "@") {
            let targetText = body[body.index(after: at)...]
            body = body[..<at]
            target = try parseTarget(String(targetText), fail: fail)
        }
        var count: Int?
        var name = String(body)
        if let eq = body.firstIndex(of: "=") {
            name = String(body[..<eq])
            let countText = body[body.index(after: eq)...]
            guard let n = Int(countText), n > 0 else {
                throw fail("N must be a positive integer, got \"\(countText)\"")
            }
            count = n
        }
        name = name.lowercased().replacingOccurrences(of: "-", with: "_")

        let scenario: Scenario
        switch name {
        case "not_ready": scenario = .notReady(tries: count ?? 1)
        case "rate_limited": scenario = .rateLimited(times: count ?? 1)
        case "flaky": scenario = .flaky(times: count ?? 1)
        case "truncated": scenario = .truncated(times: count ?? 1)
        case "slow": scenario = .slow(bytesPerSecond: count ?? Scenario.defaultSlowBytesPerSecond)
        case "many_calls": scenario = .manyCalls(count: count ?? Scenario.defaultManyCalls)
        case "xml_error": scenario = .xmlError
        case "redirect_offhost": scenario = .redirectOffhost
        case "absent": scenario = .absent
        case "wrong_credentials": scenario = .wrongCredentials
        case "pages_rate_limited": scenario = .pagesRateLimited(times: count ?? 1)
        case "pages_flaky": scenario = .pagesFlaky(times: count ?? 1)
        case "page_malformed": scenario = .pageMalformed
        case "page_loop": scenario = .pageLoop
        case "encrypted": scenario = .encrypted(target == .all ? .mixed : .primary)
        case "encrypted_fallback": scenario = .encrypted(.fallback)
        case "encrypted_unstored": scenario = .encrypted(.unstored)
        case "encrypted_corrupt": scenario = .encrypted(.corrupt)
        default:
            throw fail("unknown scenario \"\(name)\"")
        }
        if count != nil, scenario.count == nil {
            throw fail("\(name) takes no =N")
        }
        if case .manyCalls = scenario, target != .all {
            throw fail("many_calls applies to the whole account and takes no @TARGET")
        }
        if scenario.isAboutPages, target != .all {
            throw fail("\(name) applies to list pages and takes no @TARGET")
        }
        return ScenarioRule(scenario, target: target)
    }

    /// Several specs separated by commas or whitespace, e.g. "not_ready=2@1,xml_error@5".
    public static func parseList(_ specs: String) throws -> [ScenarioRule] {
        try specs.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { try parse(String($0)) }
    }

    private static func parseTarget(
        _ text: String, fail: (String) -> ScenarioParseError
    ) throws -> Target {
        if text.lowercased() == "all" || text == "*" { return .all }
        if let index = Int(text) {
            guard index >= 0 else { throw fail("recording index must be 0 or more, got \(index)") }
            return .recordingIndex(index)
        }
        let hexDigits = text.dropFirst(2)
        if text.hasPrefix("RE"), text.count == 34, hexDigits.allSatisfy(\.isHexDigit) {
            return .recordingSid(text)
        }
        throw fail("TARGET must be a recording index, a recording SID (RE + 32 hex) or \"all\", got \"\(text)\"")
    }
}

public struct ScenarioParseError: LocalizedError, CustomStringConvertible, Sendable, Equatable {
    public var spec: String
    public var problem: String

    public var description: String {
        "invalid scenario \"\(spec)\": \(problem). \(ScenarioRule.syntaxHelp)"
    }

    public var errorDescription: String? { description }
}
