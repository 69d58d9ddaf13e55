import CallTopSimulator
import Crypto
import Foundation
import Testing
@testable import CallTopWebhooks

@Suite struct SignatureTests {
    // Twilio's documented example (webhook security docs; twilio-node's own test fixture).
    let docURL = "https://mycompany.com/myapp.php?foo=1&bar=2"
    let docParams = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"),
                     ("From", "+14158675309"), ("To", "+18005551212")]

    @Test func twiliosDocumentedVector() {
        #expect(TwilioSignature.compute(url: docURL, params: docParams, authToken: "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        #expect(TwilioSignature.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: docURL, params: docParams.reversed(), authToken: "12345"))
    }

    @Test func handComputedVectorMatches() {
        // The string Twilio signs, spelled out: URL, then name+value sorted by name, no separators.
        let url = "https://hooks.example.com/twilio/recording-status"
        let params = [("RecordingStatus", "completed"), ("CallSid", sid("CA", 1)), ("AccountSid", sid("AC", 2))]
        let base = url + "AccountSid" + sid("AC", 2) + "CallSid" + sid("CA", 1) + "RecordingStatus" + "completed"
        let expected = Data(HMAC<Insecure.SHA1>.authenticationCode(for: Data(base.utf8), using: SymmetricKey(data: Data("tok".utf8)))).base64EncodedString()
        #expect(TwilioSignature.compute(url: url, params: params, authToken: "tok") == expected)
        // The simulator's own SHA-1/HMAC agrees with swift-crypto.
        #expect(CallbackSender.signature(url: url, parameters: params, authToken: "tok") == expected)
        #expect(CallbackSender.signature(url: docURL, parameters: docParams, authToken: "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    }

    @Test func refusesTamperingWrongURLWrongTokenAndMissing() {
        let sig = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        var tampered = docParams
        tampered[2].1 = "9999"
        #expect(!TwilioSignature.isValid(signature: sig, url: docURL, params: tampered, authToken: "12345"))
        #expect(!TwilioSignature.isValid(signature: sig, url: docURL + "&x=1", params: docParams, authToken: "12345"))
        #expect(!TwilioSignature.isValid(signature: sig, url: docURL, params: docParams, authToken: "12346"))
        #expect(!TwilioSignature.isValid(signature: nil, url: docURL, params: docParams, authToken: "12345"))
        #expect(!TwilioSignature.isValid(signature: "", url: docURL, params: docParams, authToken: "12345"))
        #expect(!TwilioSignature.isValid(signature: sig, url: docURL, params: docParams + [("Extra", "1")], authToken: "12345"))
    }

    @Test func jsonBodyIsSignedThroughBodySHA256() {
        // twilio-node's JSON fixture.
        let body = Data(#"{"property": "value", "boolean": true}"#.utf8)
        let url = docURL + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
        #expect(TwilioSignature.isValidJSON(signature: "a9nBmqA0ju/hNViExpshrM61xv4=", url: url, body: body, authToken: "12345"))
        #expect(!TwilioSignature.isValidJSON(signature: "a9nBmqA0ju/hNViExpshrM61xv4=", url: url, body: Data("{}".utf8), authToken: "12345"))
        #expect(!TwilioSignature.isValidJSON(signature: "a9nBmqA0ju/hNViExpshrM61xv4=", url: docURL, body: body, authToken: "12345"))
    }

    @Test func defaultPortIsTriedBothWays() {
        let params = [("CallSid", sid("CA", 1))]
        let withPort = TwilioSignature.compute(url: "https://h.example.com:443/twilio/x", params: params, authToken: "t")
        let without = TwilioSignature.compute(url: "https://h.example.com/twilio/x", params: params, authToken: "t")
        #expect(TwilioSignature.isValid(signature: withPort, url: "https://h.example.com/twilio/x", params: params, authToken: "t"))
        #expect(TwilioSignature.isValid(signature: without, url: "https://h.example.com:443/twilio/x", params: params, authToken: "t"))
        // A non-default port is part of the URL: no variant.
        #expect(TwilioSignature.urlVariants("https://h.example.com:8443/x") == ["https://h.example.com:8443/x"])
    }

    @Test func constantTimeCompare() {
        #expect(ConstantTime.equals("abc", "abc"))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "ab"))
        #expect(!ConstantTime.equals("", "a"))
        #expect(ConstantTime.equals("", ""))
    }

    @Test func notifySignatureRoundTrip() {
        let s = NotifySignature.sign(body: "{}", timestamp: 1_700_000_000, secret: "k")
        #expect(s.hasPrefix("sha256=") && s.count == 7 + 64)
        #expect(NotifySignature.verify(signature: s, body: "{}", timestamp: 1_700_000_000, secret: "k"))
        #expect(!NotifySignature.verify(signature: s, body: "{ }", timestamp: 1_700_000_000, secret: "k"))
    }
}
