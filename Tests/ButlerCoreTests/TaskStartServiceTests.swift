import ButlerCore
import Logging
import Testing

/// The start-task rules of `PUT|POST /v4/reloadtask/:taskId/start` (spec §2.4.13, DESIGN Decisions 5).
struct TaskStartServiceTests {
    static let sales = "e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e"
    static let hr = "fbf645f0-0c92-40a4-af9a-6e3eb1d3c35c"
    static let finance = "0d815a99-1ca3-4131-a398-6878bd735fd8"
    static let missing = "11111111-2222-4333-8444-555555555555"

    static func site() -> InMemoryQlikSenseTasks {
        InMemoryQlikSenseTasks([
            .init(id: sales, name: "Reload sales", tags: ["nightly"], customProperties: [.init(name: "group", value: "a")]),
            .init(id: hr, name: "Reload HR", tags: ["nightly", "hr"]),
            .init(id: finance, name: "Reload finance", customProperties: [.init(name: "group", value: "b")]),
        ])
    }

    static func service(_ site: InMemoryQlikSenseTasks, filter: StartTaskFilter = .init()) -> TaskStartService {
        TaskStartService(site: site, filter: filter, logger: Logger(label: "test"))
    }

    @Test func startsByIdTagAndCustomPropertyAndReportsInButlersShape() async throws {
        let site = Self.site()
        let request = TaskStartRequest(
            taskIds: [Self.sales.uppercased(), "not-a-guid", Self.missing],
            tags: ["hr"], customProperties: [.init(name: "group", value: "b")])
        let report = try await Self.service(site).start(request, allTaskIdsMustExist: false)
        #expect(report.tasksId.started == [.init(taskId: Self.sales, taskName: "Reload sales")])
        #expect(report.tasksId.invalid == [.init(taskId: "not-a-guid"), .init(taskId: Self.missing)])
        #expect(report.tasksId.denied.isEmpty)
        #expect(report.tasksTag == [.init(taskId: Self.hr, taskName: "Reload HR")])
        #expect(report.tasksCP == [.init(taskId: Self.finance, taskName: "Reload finance")])
        let started = try await site.waitForStarts(3)
        #expect(Set(started) == [Self.sales, Self.hr, Self.finance])
    }

    // With allTaskIdsMustExist, one invalid id stops every id-based start; tags still start.
    @Test func allTaskIdsMustExistStopsIdStartsOnly() async throws {
        let site = Self.site()
        let request = TaskStartRequest(taskIds: [Self.sales, Self.missing], tags: ["hr"])
        let report = try await Self.service(site).start(request, allTaskIdsMustExist: true)
        #expect(report.tasksId.started.isEmpty)
        #expect(report.tasksId.invalid == [.init(taskId: Self.missing)])
        #expect(report.tasksId.denied == [.init(taskId: Self.sales)])
        #expect(report.tasksTag.map(\.taskId) == [Self.hr])
        #expect(try await site.waitForStarts(1) == [Self.hr])
    }

    // The allow-list: each list allows only its own kind (Decisions 5).
    @Test func startTaskFilterDeniesWhatIsNotListed() async throws {
        let site = Self.site()
        let filter = StartTaskFilter(enable: true, taskIds: [Self.hr.uppercased()], tags: ["hr"], customProperties: [.init(name: "group", value: "a")])
        let request = TaskStartRequest(
            taskIds: [Self.sales, Self.hr], tags: ["nightly", "hr"],
            customProperties: [.init(name: "group", value: "a"), .init(name: "group", value: "b")])
        let report = try await Self.service(site, filter: filter).start(request, allTaskIdsMustExist: false)
        #expect(report.tasksId.started.map(\.taskId) == [Self.hr])
        #expect(report.tasksId.denied == [.init(taskId: Self.sales)])
        #expect(report.tasksTagDenied == [.init(tag: "nightly")])
        #expect(report.tasksTag.map(\.taskId) == [Self.hr])
        #expect(report.tasksCPDenied == [.init(name: "group", value: "b")])
        #expect(report.tasksCP.map(\.taskId) == [Self.sales])
    }

    @Test func singleStartChecksTheIdAndTheAllowList() async throws {
        let site = Self.site()
        let service = Self.service(site, filter: StartTaskFilter(enable: true, taskIds: [Self.sales]))
        #expect(try await service.startTask(id: "nope") == .invalid)
        #expect(try await service.startTask(id: Self.hr) == .denied)
        #expect(try await service.startTask(id: Self.sales.uppercased()) == .started(.init(taskId: Self.sales, taskName: "")))
        #expect(site.started == [Self.sales])
    }

    @Test(arguments: [
        ("e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e", true),
        ("E3B27F50-B1C0-4879-88FC-C7CDD9C1CF3E", true),
        ("e3b27f50-b1c0-6879-88fc-c7cdd9c1cf3e", false), // version nibble 6
        ("e3b27f50-b1c0-4879-c8fc-c7cdd9c1cf3e", false), // variant c
        ("e3b27f50b1c0-4879-88fc-c7cdd9c1cf3e0", false),
        ("e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3", false),
        ("g3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e", false),
        ("-", false),
    ])
    func guidRule(text: String, valid: Bool) {
        #expect((QlikGUID.normalised(text) != nil) == valid)
    }

    // The lookups run concurrently (bounded), but the report keeps the request's order, as Butler's does.
    @Test func reportKeepsTheRequestOrderWithConcurrentLookups() async throws {
        let site = Self.site()
        let request = TaskStartRequest(taskIds: [Self.missing, "not-a-guid", Self.hr, Self.sales, "x", Self.finance])
        let report = try await Self.service(site).start(request, allTaskIdsMustExist: false)
        #expect(report.tasksId.invalid == [.init(taskId: Self.missing), .init(taskId: "not-a-guid"), .init(taskId: "x")])
        #expect(report.tasksId.started.map(\.taskId) == [Self.hr, Self.sales, Self.finance])
        let denied = try await Self.service(site, filter: StartTaskFilter(enable: true, taskIds: [Self.sales]))
            .start(TaskStartRequest(taskIds: [Self.finance, Self.sales, Self.hr]), allTaskIdsMustExist: false)
        #expect(denied.tasksId.denied == [.init(taskId: Self.finance), .init(taskId: Self.hr)])
        #expect(denied.tasksId.started.map(\.taskId) == [Self.sales])
    }
}
