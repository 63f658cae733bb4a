/// Decides, piece by piece of an engine response, how much reaches the client and where the
/// connection is cut, for the faults that act on responses.
struct ResponseCutter {
    enum Step {
        case forward([UInt8])
        /// Pass these bytes, then drop the connection.
        case cut([UInt8])
    }

    let fault: FaultKind?
    let schedule: FaultSchedule
    let started: Double
    private var held: [UInt8] = []
    private var headDone = false
    private var events = 0

    init(fault: FaultKind?, schedule: FaultSchedule, started: Double) {
        self.fault = fault
        self.schedule = schedule
        self.started = started
    }

    /// `piece` is what just came from the engine (empty when only time passed).
    mutating func pass(_ piece: [UInt8], now: Double) -> Step {
        switch fault {
        case .dropResponse:
            // The engine has answered, so it has done the work; the client gets nothing.
            return piece.isEmpty ? .forward([]) : .cut([])
        case .resetMidResponse:
            held += piece
            // Wait for the whole head, then pass it and half of the body that came with it;
            // with no body yet, half of the head (a 204 head alone would be a whole response).
            guard let end = held.headEnd() else { return .forward([]) }
            let body = held.count - end
            return .cut(Array(held.prefix(body > 0 ? end + body / 2 : end / 2)))
        case .cutEvents:
            if !headDone {
                held += piece
                guard let end = held.headEnd() else { return .forward([]) }
                headDone = true
                let rest = Array(held[end...])
                let head = Array(held[..<end])
                held = []
                return passEvents(rest, before: head, now: now)
            }
            return passEvents(piece, before: [], now: now)
        default:
            return .forward(piece)
        }
    }

    /// Counts event lines (each JSON object ends with "}\n") and cuts after enough of them,
    /// or once enough time has passed.
    private mutating func passEvents(_ piece: [UInt8], before: [UInt8], now: Double) -> Step {
        var passed = before
        var index = 0
        while index < piece.count {
            passed.append(piece[index])
            if index > 0 && piece[index] == 10 && piece[index - 1] == 125 {
                events += 1
                if events >= schedule.cutAfterEvents { return .cut(passed) }
            }
            index += 1
        }
        if now - started >= schedule.cutAfterSeconds { return .cut(passed) }
        return .forward(passed)
    }
}
