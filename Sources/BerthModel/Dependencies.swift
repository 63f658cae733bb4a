/// `dependsOn` across files: each entry resolved to one spec, the graph checked for cycles,
/// and the order in which creates and replaces go (a DAG, as Compose's planner builds one).
/// Pure: the same specs give the same graph, errors and order.
public enum Dependencies {
    public struct Resolution: Sendable, Equatable {
        /// Each spec's dependencies, sorted; specs without any are absent.
        public var edges: [SpecKey: [SpecKey]] = [:]
        /// One per entry naming nothing (or several things), one per cycle.
        public var errors: [SpecError] = []
        /// The files of those specs: refused whole, as any invalid file.
        public var invalidFiles: Set<String> = []
    }

    /// Resolves every spec's `dependsOn` against `specs`, then refuses the files of entries
    /// that name nothing and of cycles, and again for the entries that named a spec of a file
    /// refused so, until nothing changes. `invalidFiles`: files already refused, named in the
    /// message of an entry that may be meant for one of their specs.
    public static func resolve(_ specs: [Spec], invalidFiles: [String] = []) -> Resolution {
        var out = Resolution()
        var live = specs
        var refused: [SpecKey: String] = [:]
        while true {
            let pass = resolveOnce(live, refused: refused, invalidFiles: invalidFiles + out.invalidFiles.sorted())
            out.edges = pass.edges
            guard !pass.invalidFiles.isEmpty else { break }
            out.errors += pass.errors
            out.invalidFiles.formUnion(pass.invalidFiles)
            for spec in live where pass.invalidFiles.contains(spec.origin.file) { refused[spec.key] = spec.origin.file }
            live.removeAll { pass.invalidFiles.contains($0.origin.file) }
        }
        out.errors.sort { ($0.file, $0.position.line, $0.position.column) < ($1.file, $1.position.line, $1.position.column) }
        return out
    }

    /// The specs of `edges` in an order where each comes after all it depends on; among
    /// those free to go, by target then name. A cycle's members are left out.
    public static func order(_ edges: [SpecKey: [SpecKey]]) -> [SpecKey] {
        var nodes = Set(edges.keys)
        for deps in edges.values { nodes.formUnion(deps) }
        var waitingOn = Dictionary(uniqueKeysWithValues: nodes.map { ($0, Set(edges[$0] ?? [])) })
        var dependents: [SpecKey: [SpecKey]] = [:]
        for (node, deps) in edges { for dep in deps { dependents[dep, default: []].append(node) } }
        var free = nodes.filter { waitingOn[$0]!.isEmpty }.sorted(by: >)
        var order: [SpecKey] = []
        while let next = free.popLast() {
            order.append(next)
            for dependent in dependents[next] ?? [] {
                waitingOn[dependent]!.remove(next)
                if waitingOn[dependent]!.isEmpty { free.append(dependent); free.sort(by: >) }
            }
        }
        return order
    }

    static func resolveOnce(_ specs: [Spec], refused: [SpecKey: String], invalidFiles: [String]) -> Resolution {
        var out = Resolution()
        let keys = Set(specs.map(\.key))
        var byName: [SpecName: [SpecKey]] = [:]
        for key in keys { byName[key.name, default: []].append(key) }
        let allNames = Array(Set(byName.keys).union(refused.keys.map(\.name))).sorted().map(\.rawValue)
        // Where each edge was written, for the message of a cycle through it.
        var entries: [[SpecKey]: (Spec, DependencyReference)] = [:]
        func fail(_ spec: Spec, _ reference: DependencyReference, _ message: String) {
            out.errors.append(SpecError(file: spec.origin.file, path: reference.path, position: reference.position, message: message))
            out.invalidFiles.insert(spec.origin.file)
        }
        for spec in specs.sorted(by: { $0.key < $1.key }) where !spec.dependsOn.isEmpty {
            var resolved: [SpecKey] = []
            for reference in spec.dependsOn {
                let candidates: [SpecKey]
                if let target = reference.target {
                    candidates = [SpecKey(target: target, name: reference.name)].filter { keys.contains($0) || refused[$0] != nil }
                } else if keys.contains(SpecKey(target: spec.target, name: reference.name)) {
                    candidates = [SpecKey(target: spec.target, name: reference.name)]
                } else {
                    candidates = (byName[reference.name] ?? []).sorted()
                        + refused.keys.filter { $0.name == reference.name && !keys.contains($0) }.sorted()
                }
                if candidates.count > 1 {
                    fail(spec, reference, "\(quoted(reference.name.rawValue)) is a spec on \(candidates.map(\.target.rawValue).joined(separator: ", ")); write which, like \(quoted(candidates[0].description))")
                    continue
                }
                guard let key = candidates.first else {
                    var message = "unknown spec \(quoted(reference.written)) in dependsOn"
                    if let guess = Suggest.near(reference.name.rawValue, allNames) { message += "; did you mean \(quoted(guess))?" }
                    if !invalidFiles.isEmpty { message += " (or it is in an invalid file: \(invalidFiles.joined(separator: ", ")))" }
                    fail(spec, reference, message)
                    continue
                }
                if key == spec.key { fail(spec, reference, "a spec cannot depend on itself"); continue }
                if let file = refused[key] {
                    fail(spec, reference, "depends on \(quoted(reference.written)), whose file \(file) is invalid")
                    continue
                }
                resolved.append(key)
                entries[[spec.key, key]] = (spec, reference)
            }
            if !resolved.isEmpty { out.edges[spec.key] = Array(Set(resolved)).sorted() }
        }
        let files = Dictionary(specs.map { ($0.key, $0.origin.file) }, uniquingKeysWith: { a, _ in a })
        for cycle in cycles(out.edges) {
            let (spec, reference) = entries[[cycle[0], cycle[1]]]!
            let shown = (cycle + [cycle[0]]).map { $0.shown(from: spec.target) }.joined(separator: " -> ")
            out.errors.append(SpecError(file: spec.origin.file, path: reference.path, position: reference.position,
                                        message: "dependency cycle: \(shown)"))
            for key in cycle { if let file = files[key] { out.invalidFiles.insert(file) } }
        }
        return out
    }

    /// One cycle per strongly connected component of more than one spec: from its smallest
    /// member, the shortest way back to it. Each cycle starts at that member.
    static func cycles(_ edges: [SpecKey: [SpecKey]]) -> [[SpecKey]] {
        var found: [[SpecKey]] = []
        for component in components(edges) where component.count > 1 {
            let start = component.min()!
            // Breadth first from the start, inside the component, back to the start.
            var previous: [SpecKey: SpecKey] = [:]
            var queue = [start]
            var head = 0
            var last: SpecKey?
            search: while head < queue.count {
                let node = queue[head]; head += 1
                for next in edges[node] ?? [] where component.contains(next) {
                    if next == start { last = node; break search }
                    if previous[next] == nil { previous[next] = node; queue.append(next) }
                }
            }
            var path: [SpecKey] = []
            var node = last
            while let current = node, current != start { path.append(current); node = previous[current] }
            found.append([start] + path.reversed())
        }
        return found.sorted { $0[0] < $1[0] }
    }

    /// Tarjan's strongly connected components, iteratively (a generated folder can hold a
    /// chain of thousands, deeper than a thread's stack).
    static func components(_ edges: [SpecKey: [SpecKey]]) -> [Set<SpecKey>] {
        var index: [SpecKey: Int] = [:], low: [SpecKey: Int] = [:]
        var stack: [SpecKey] = [], onStack: Set<SpecKey> = []
        var result: [Set<SpecKey>] = []
        var counter = 0
        for root in edges.keys.sorted() where index[root] == nil {
            var work: [(node: SpecKey, next: Int)] = [(root, 0)]
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack.insert(root)
            while !work.isEmpty {
                let (node, next) = work[work.count - 1]
                let successors = edges[node] ?? []
                if next < successors.count {
                    work[work.count - 1].next += 1
                    let child = successors[next]
                    if index[child] == nil {
                        index[child] = counter; low[child] = counter; counter += 1
                        stack.append(child); onStack.insert(child)
                        work.append((child, 0))
                    } else if onStack.contains(child) {
                        low[node] = min(low[node]!, index[child]!)
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last?.node { low[parent] = min(low[parent]!, low[node]!) }
                if low[node] == index[node] {
                    var component: Set<SpecKey> = []
                    while let top = stack.popLast() {
                        onStack.remove(top); component.insert(top)
                        if top == node { break }
                    }
                    result.append(component)
                }
            }
        }
        return result
    }
}
