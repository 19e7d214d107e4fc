import Foundation

/// The temp folder the fuzzed `butler` runs in, and its config: every route on, file routes approved only
/// below `root/files`, the scheduler on with its file in `root`, the database in `root/data`, Slack and New
/// Relic pointed at a closed local port (so they answer the documented 503), MQTT off (503), no Qlik Sense
/// connection (503).
///
///     root/butler.yaml  root/schedule.yaml  root/data/butler.sqlite  root/sentinel.txt
///     root/outside/sentinel.txt                       not approved for anything
///     root/files/src  → copy and move sources         (src/link-out → root/outside)
///     root/files/dst  → copy and move targets, and approved for delete
///     root/files/del  → approved for delete
///     root/files/mk   → approved for createdir;  root/files/qvd → qvdPath
struct FuzzWorld {
    let root: String
    /// Files that no request may change or read: outside every approved directory.
    var sentinels: [String] { [root + "/sentinel.txt", root + "/outside/sentinel.txt", root + "/butler.yaml"] }
    /// What the sentinels hold; no file below `root/files` may ever hold it (a leak through a link).
    static let sentinelText = "fuzz sentinel 7d1c0d7e: not to be read, moved, copied or deleted\n"

    /// Paths for the file routes, relative ones (against an approved directory) and absolute ones below `root`.
    var paths: [String] {
        [
            "subfolder/file1.qvd", "file1.qvd", "archive/file1.qvd", "subfolder", "subfolder/", ".", "./", "..", "../",
            "../outside/sentinel.txt", "../../sentinel.txt", "../../outside/sentinel.txt", "subfolder/../../outside/sentinel.txt",
            "link-out", "link-out/", "link-out/sentinel.txt", "subfolder\\file1.qvd", "..\\..\\sentinel.txt",
            "subfolder//file1.qvd", "subfolder/./file1.qvd", "subfolder/file1.qvd\u{0}.txt", "C:\\data\\file1.qvd",
            root + "/files/src/subfolder/file1.qvd", root + "/files/src", root + "/files/dst", root + "/files/del",
            root + "/files/mk", root + "/files/qvd", root + "/files", root + "/outside", root + "/outside/sentinel.txt",
            root + "/sentinel.txt", root + "/files/src/link-out/sentinel.txt", root + "/files/src/../../outside/sentinel.txt",
            root + "/files/dst/../src/subfolder/file1.qvd", root + "/data/butler.sqlite", root + "/schedule.yaml",
        ]
    }

    var scheduleFile: String { root + "/schedule.yaml" }

    /// Creates the folders, the sample files, the link, the sentinels, the schedule file and `butler.yaml`.
    func create(port: Int, closedPort: Int) throws {
        let manager = FileManager.default
        for folder in ["files/src/subfolder", "files/dst/archive", "files/del/subfolder", "files/mk", "files/qvd", "outside", "data"] {
            try manager.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for file in ["files/src/file1.qvd", "files/src/subfolder/file1.qvd", "files/src/subfolder/file2.qvd",
                     "files/del/subfolder/file1.qvd", "files/del/file1.qvd", "files/dst/archive/file1.qvd"] {
            try "qvd data".write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
        }
        try manager.createSymbolicLink(atPath: root + "/files/src/link-out", withDestinationPath: root + "/outside")
        for sentinel in sentinels.dropLast() { try Self.sentinelText.write(toFile: sentinel, atomically: true, encoding: .utf8) }
        try """
            butlerSchedule:
              - id: \(FuzzRoutes.scheduleIds[0])
                name: Fuzz schedule 1
                cronSchedule: '0 0 1 1 *'
                timezone: Europe/Stockholm
                qlikSenseTaskId: 0fe447a9-ba1f-44a9-ac23-68c3a1d88d8b
                startupState: stopped
                tags: [fuzz]
              - id: \(FuzzRoutes.scheduleIds[1])
                name: Fuzz schedule 2
                cronSchedule: '0 0 1 1 *'
                timezone: UTC
                qlikSenseTaskId: 0fe447a9-ba1f-44a9-ac23-68c3a1d88d8b
                startupState: started
            """.write(toFile: scheduleFile, atomically: true, encoding: .utf8)
        let switches = ["apiListEnabledEndpoints", "base62ToBase16", "base16ToBase62", "butlerping", "createDir", "createDirQVD",
                        "fileDelete", "fileMove", "fileCopy", "keyValueStore", "mqttPublishMessage", "senseAppReload", "senseAppDump",
                        "senseListApps", "senseStartTask", "slackPostMessage"]
        let scheduleSwitches = ["createNewSchedule", "getSchedule", "getScheduleStatusAll", "deleteSchedule", "startSchedule", "stopSchedule"]
        let copyPair = """
                - fromDirectory: \(root)/files/src
                  toDirectory: \(root)/files/dst
            """
        let config = """
            Butler:
              logLevel: warn
              restServerConfig:
                enable: true
                serverHost: 127.0.0.1
                serverPort: \(port)
              restServerEndpointsEnable:
            \(switches.map { "    \($0): true" }.joined(separator: "\n"))
                newRelic:
                  postNewRelicMetric: true
                  postNewRelicEvent: true
                scheduler:
            \(scheduleSwitches.map { "      \($0): true" }.joined(separator: "\n"))
              restServerEndpointsConfig:
                newRelic:
                  postNewRelicMetric:
                    destinationAccount: [fuzz]
                    url: http://127.0.0.1:\(closedPort)/metric/v1
                  postNewRelicEvent:
                    destinationAccount: [fuzz]
                    url: http://127.0.0.1:\(closedPort)/
              thirdPartyToolsCredentials:
                newRelic:
                  - accountName: fuzz
                    insertApiKey: fuzz-insert-key
                    accountId: 1234567
              slackNotification:
                restMessage:
                  webhookURL: http://127.0.0.1:\(closedPort)/services/T000/B000/XXXX
              fileCopyApprovedDirectories:
            \(copyPair)
              fileMoveApprovedDirectories:
            \(copyPair)
              fileDeleteApprovedDirectories:
                - \(root)/files/del
                - \(root)/files/dst
              createDirApprovedDirectories:
                - \(root)/files/mk
              configDirectories:
                qvdPath: \(root)/files/qvd
              scheduler:
                enable: true
                configfile: \(scheduleFile)
              database:
                file: \(root)/data/butler.sqlite

            """
        try config.write(toFile: root + "/butler.yaml", atomically: true, encoding: .utf8)
    }

    /// The sentinels' contents and modification times, to compare before and after.
    func sentinelState() -> [String: String] {
        var state: [String: String] = [:]
        for path in sentinels {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let contents = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing>"
            state[path] = "\(contents) \(attributes?[.modificationDate] ?? "-") \(attributes?[.size] ?? "-")"
        }
        return state
    }

    /// Files below `root/files` whose contents are the sentinel's: read through a link to outside.
    func leakedCopies() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root + "/files") else { return [] }
        let files = URL(fileURLWithPath: root + "/files").resolvingSymlinksInPath().path + "/"
        var leaks: [String] = []
        while let relative = walker.nextObject() as? String {
            let path = root + "/files/" + relative
            // Only regular files that really are below root/files (not the sentinel seen through the link).
            guard URL(fileURLWithPath: path).resolvingSymlinksInPath().path.hasPrefix(files),
                let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType,
                type == .typeRegular,
                let contents = try? String(contentsOfFile: path, encoding: .utf8), contents == Self.sentinelText
            else { continue }
            leaks.append(path)
        }
        return leaks
    }
}
