import Foundation
import Testing
@testable import CallTopCore

/// Runs with the test process's umask (022): the modes come from calltop, not from luck.
@Suite(.serialized) struct PrivateDataTests {
    let host = try! TwilioHost()

    @Test func aNewDataDirAndEverythingInItIsPrivate() throws {
        let old = umask(0o022)
        defer { umask(old) }
        let dir = temporaryDirectory().appendingPathComponent("data")
        let workspace = try Workspace(dataDir: dir, host: host, credentials: nil, secrets: [])
        workspace.logger.info("[OFFLINE_STT] hello")
        try workspace.store.upsertCalls([TwilioCall(sid: String(format: "CA%032x", 1), from: "+1", to: "+2", direction: "inbound",
                                                    status: "completed", startTime: Date(), durationS: 3)], now: Date())
        #expect(workspace.warnings.isEmpty)
        #expect(PrivateFiles.mode(dir) == 0o700)
        for folder in ["recordings", "logs"] { #expect(PrivateFiles.mode(dir.appendingPathComponent(folder)) == 0o700, "\(folder)") }
        for file in ["calltop.sqlite", "calltop.sqlite-wal", "calltop.sqlite-shm", "logs/calltop.log"] {
            #expect(PrivateFiles.mode(dir.appendingPathComponent(file)) == 0o600, "\(file)")
        }
    }

    @Test func mediaFilesAreWrittenPrivate() throws {
        let old = umask(0o022)
        defer { umask(old) }
        let dir = temporaryDirectory()
        let writer = MediaFileWriter(finalURL: dir.appendingPathComponent("CA1.mp3")) { _, _ in }
        writer.onHead(HTTPResponseHead(status: 200, headers: ["content-type": "audio/mpeg"]))
        #expect(PrivateFiles.mode(writer.tempURL) == 0o600)
        let id3 = Data("ID3".utf8) + Data(repeating: 0, count: 64)
        _ = id3.withUnsafeBytes { writer.onBody($0) }
        guard case .success = writer.commit(relativePath: "recordings/CA1.mp3") else {
            Issue.record("commit failed")
            return
        }
        #expect(PrivateFiles.mode(dir.appendingPathComponent("CA1.mp3")) == 0o600)
    }

    @Test func anOpenDataDirWorksButIsWarnedAbout() throws {
        let dir = temporaryDirectory().appendingPathComponent("open")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        chmod(dir.path, 0o755)
        let workspace = try Workspace(dataDir: dir, host: host, credentials: nil, secrets: [])
        #expect(workspace.warnings.count == 1)
        #expect(workspace.warnings.first?.contains("chmod 700 \(dir.path)") == true)
        #expect(workspace.warnings.first?.contains("every local user") == true)
        chmod(dir.path, 0o750)
        #expect(DataDirectoryCheck.warnings(dir).first?.contains("its group") == true)
        chmod(dir.path, 0o700)
        #expect(DataDirectoryCheck.warnings(dir).isEmpty)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to give a folder to another user"))
    func aDataDirOwnedBySomeoneElseIsRefused() throws {
        let dir = temporaryDirectory().appendingPathComponent("theirs")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        #expect(chown(dir.path, 65534, 65534) == 0)
        #expect {
            _ = try Workspace(dataDir: dir, host: host, credentials: nil, secrets: [])
        } throws: { error in
            "\(error)".contains("belongs to uid 65534") && "\(error)".contains("refusing")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("calltop.sqlite").path))
    }
}
