import ArgumentParser
import CallTopCore
import Foundation

@main
struct CallTop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calltop",
        abstract: "See every call's recording download and authoritative transcript; retry and transcribe on demand.",
        discussion: """
            Credentials come from the environment only:
              TWILIO_ACCOUNT_SID=AC…  and  TWILIO_AUTH_TOKEN=…   (or TWILIO_API_KEY=SK… + TWILIO_API_SECRET=…)
              TWILIO_REGION / TWILIO_EDGE when the account is not in us1 (credentials and recordings are per region).
            Try it without an account:  calltop demo
            Typical use:  calltop sync && calltop download --pending && calltop list
            """,
        version: CallTopVersion.current,
        subcommands: [UICommand.self, DemoCommand.self, SyncCommand.self, ListCommand.self, DownloadCommand.self,
                      DoctorCommand.self, SimulatorCommand.self, TranscribeCommand.self, TranscriptCommand.self, RealtimeCommand.self, ServeCommand.self,
                      ExportCommand.self, WorkerCommand.self],
        defaultSubcommand: UICommand.self
    )

    /// SIGPIPE, core dumps and the umask are settled before any argument or secret is read.
    static func main() async {
        ProcessHardening.apply()
        await main(nil)
    }
}
