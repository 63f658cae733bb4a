import BerthJSON
import BerthModel

/// `depends_on` into `dependsOn`, in its list form and its map form with conditions. berth
/// waits for a dependency to run and, where it has a health check, to be healthy: that is
/// `service_healthy` (and `service_started` for one without a check). What berth cannot
/// express is reported by line.
extension ComposeImport {
    mutating func dependsOn(_ node: JSONNode, _ path: String, _ member: JSONMember, into spec: inout [String: JSONValue]) {
        var names: [String] = []
        if let entries = node.members {
            for entry in entries {
                names.append(entry.key)
                let entryPath = "\(path).\(entry.key)"
                for setting in entry.value.members ?? [] {
                    let settingPath = "\(entryPath).\(setting.key)"
                    switch setting.key {
                    case "condition":
                        guard let word = text(setting.value, settingPath) else { continue }
                        switch word {
                        case "service_started", "service_healthy": break
                        case "service_completed_successfully":
                            note(setting.value.position, settingPath, "not translated (berth waits for \(entry.key) to run, and be healthy where it has a check, not to finish)")
                        default:
                            fail(setting.value, settingPath, "unknown condition \"\(word)\"; Compose's are service_started, service_healthy and service_completed_successfully")
                        }
                    case "required":
                        if case .bool(false) = setting.value.kind {
                            note(setting.keyPosition, settingPath, "not translated (berth's dependencies are always required: a missing one is an error)")
                        }
                    case "restart":
                        note(setting.keyPosition, settingPath, "not translated (berth does not restart a dependent when its dependency is replaced)")
                    default:
                        note(setting.keyPosition, settingPath, "not translated (berth has no equivalent of depends_on.\(entry.key).\(setting.key))")
                    }
                }
            }
        } else if let list = texts(node, path, split: false) {
            names = list
        } else {
            return
        }
        let sanitized = names.map(Names.sanitized)
        guard !sanitized.isEmpty else { return }
        if acceptedFields.contains("dependsOn") {
            spec["dependsOn"] = .array(sanitized.map(JSONValue.string))
        } else {
            note(member.keyPosition, path, notYet("dependsOn"))
        }
    }
}
