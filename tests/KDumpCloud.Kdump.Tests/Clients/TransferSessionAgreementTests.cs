using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;
using KDumpCloud.Kdump.Transfers;

namespace KDumpCloud.Kdump.Tests.Clients;

/// <summary>The server's state machine and the independent kdumpd model decide the same file for a plan's datagrams.</summary>
public class TransferSessionAgreementTests
{
    public static TheoryData<KernelGeneration, DumpKind, int> Cases()
    {
        var data = new TheoryData<KernelGeneration, DumpKind, int>();
        foreach (var generation in Enum.GetValues<KernelGeneration>())
        {
            foreach (var kind in Enum.GetValues<DumpKind>())
            {
                if (kind == DumpKind.SystemLog && !KernelProfile.For(generation).SupportsSystemLog)
                {
                    continue;
                }

                data.Add(generation, kind, 100);
                data.Add(generation, kind, 54_321);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Handle_PlanDatagrams_WritesWhatKdumpdWouldStore(KernelGeneration generation, DumpKind kind, int length)
    {
        var content = ClientTestData.RandomContent(length, seed: length);
        var writer = new KdumpClientPacketWriter(generation);
        Assert.True(WriteRequestParser.TryParse(writer.WriteRequest(ClientTestData.PanicLogName).Span, out var request, out _));
        var session = new TransferSession(request!, maxDumpBytes: 1 << 24);
        var plan = DumpPlan.Create(content, kind, generation, session.Features, ClientTestData.PanicLogName);

        var file = new byte[length + 4096];
        long fileLength = 0;
        for (var i = 0; i < plan.Operations.Count; i++)
        {
            var datagram = writer.Operation(plan, i).Span;
            var step = session.Handle(datagram);

            Assert.True(step.SendsAck, $"operation {i} {plan.Operations[i]}: {step.Action} {step.Ignored}");
            Assert.Equal((uint)(i + 1), step.AckBlock);
            if (step.Action == TransferAction.Write)
            {
                datagram.Slice(step.PayloadStart, step.PayloadLength).CopyTo(file.AsSpan((int)step.Offset));
                fileLength = Math.Max(fileLength, step.Offset + step.PayloadLength);
            }
        }

        Assert.Equal(TransferState.Completed, session.State);
        Assert.Equal(KdumpdStoredBytes.Compute(plan), file[..(int)fileLength]);
    }
}
