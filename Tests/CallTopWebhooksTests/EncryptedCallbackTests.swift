import CallTopCore
import Foundation
import Testing
@testable import CallTopWebhooks

/// Recording status callbacks of an account with Voice Recording Encryption (#15).
@Suite struct EncryptedCallbackTests {
    let keySid = "CR0123456789abcdef0123456789abcdef"

    func form(status: String, errorCode: Int = 0, details: String?) -> FormParameters {
        var pairs = [("AccountSid", sid("AC", 1)), ("CallSid", sid("CA", 7)), ("RecordingSid", sid("RE", 7)),
                     ("RecordingStatus", status), ("RecordingDuration", "12"), ("RecordingChannels", "1"),
                     ("ErrorCode", String(errorCode))]
        if let details { pairs.append(("EncryptionDetails", details)) }
        return FormParameters(pairs: pairs)
    }

    @Test func theCallbacksEncryptionDetailsAreStored() throws {
        let details = #"{"type": "rsa-aes", "public_key_sid": "\#(keySid)", "encrypted_cek": "Y2Vr", "iv": "aXZpdml2aXZpdml2"}"#
        let callback = try RecordingStatusCallback(form(status: "completed", details: details))
        #expect(callback.facts.encryption?.publicKeySid == keySid)
        let store = try Store(dataDir: temporaryDirectory())
        #expect(try store.applyRecordingCallback(callback.facts, now: Date()) == .pending)
        #expect(try store.encryptionDetails(of: sid("RE", 7)) == callback.facts.encryption)
        let row = try #require(try store.callRow(sid("CA", 7)))
        #expect(row.encrypted && row.publicKeySid == keySid)
        // The store holds what Twilio published, never more: no key material beyond the wrapped CEK.
        #expect(try #require(try store.encryptionDetails(of: sid("RE", 7))).encryptedCek == "Y2Vr")
    }

    @Test func unusableDetailsAreIgnoredNotTrusted() throws {
        let callback = try RecordingStatusCallback(form(status: "completed", details: #"{"public_key_sid": "../x", "encrypted_cek": "a", "iv": "b"}"#))
        #expect(callback.facts.encryption == nil)
        #expect(try RecordingStatusCallback(form(status: "completed", details: "not json")).facts.encryption == nil)
    }

    @Test func failedWith16105IsFinalLikeAbsent() throws {
        let store = try Store(dataDir: temporaryDirectory())
        let callback = try RecordingStatusCallback(form(status: "failed", errorCode: 16105, details: nil))
        #expect(try store.applyRecordingCallback(callback.facts, now: Date()) == .absent)
        let stored = try #require(try store.recording(sid("RE", 7)))
        #expect(stored.lastError?.contains("16105: not stored: the account had no valid public key") == true)
        // A user's retry cannot revive it: absent is final.
        #expect(try store.resetForRetry([sid("RE", 7)], now: Date()).isEmpty)
    }
}
