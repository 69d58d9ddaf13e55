import CallTopCore

/// `calltop doctor`'s lines about the speech engine.
enum SpeechDoctor {
    struct Check { var ok: Bool; var name: String; var detail: String }

    static func checks(_ environment: SpeechEnvironment = SpeechEnvironment.locate()) -> [Check] {
        environment.check().map { Check(ok: $0.ok, name: $0.name, detail: $0.detail) }
    }
}
