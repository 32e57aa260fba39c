namespace KDumpCloud.Ingest.Alerts;

/// <summary>The alert <c>kdumpcloud alerts test</c> sends: plainly a test, shaped like a real new-crash alert.</summary>
public static class SampleAlert
{
    public static AlertNotice Create(DateTimeOffset now) => new()
    {
        DumpId = Guid.CreateVersion7(now),
        Event = AlertEvent.New,
        Fingerprint = "kdumpcloud-test",
        Signature = "TEST ALERT from KDumpCloud: this webhook works",
        Kind = "test",
        Culprit = "com.example.kdumpcloud.test",
        PanicMessage = "panic(cpu 0 caller 0xfffffe0012345678): this is a test alert sent by kdumpcloud alerts test; no Mac crashed",
        Model = "Mac15,3",
        OsBuild = "24A335",
        KernelVersion = "xnu-11215.1.10",
        Machine = "192.0.2.1",
        FirstSeen = now,
        ReceivedAt = now,
        Count = 1,
        Machines = 1,
        FileName = "kdumpcloud-test",
        CreatedAt = now,
    };
}
