import Foundation

/// Links into the Twilio Console. The call log page is framed inside the
/// Console's monitor app: the inner page's path goes, percent-encoded, in
/// `frameUrl` (the form Twilio's own Console uses); calls outside us1 add
/// `x-target-region` to that inner URL.
public enum TwilioConsoleURL {
    public static func call(_ callSid: String, region: String?) -> String {
        var inner = "/console/voice/calls/logs/\(callSid)"
        if let region = region?.lowercased(), !region.isEmpty, region != "us1" { inner += "?x-target-region=\(region)" }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return "https://console.twilio.com/us1/monitor/logs/calls?frameUrl="
            + (inner.addingPercentEncoding(withAllowedCharacters: allowed) ?? inner)
    }
}
