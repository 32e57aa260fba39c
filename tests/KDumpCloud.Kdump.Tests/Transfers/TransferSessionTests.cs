using System.Buffers.Binary;
using FsCheck.Xunit;
using KDumpCloud.Kdump.Packets;
using KDumpCloud.Kdump.Transfers;

namespace KDumpCloud.Kdump.Tests.Transfers;

public class TransferSessionTests
{
    private static WriteRequest Modern(string name = "core-test.gz") => new(name, "octet", true, 3, 1406);

    private static WriteRequest Legacy(string name = "core-test") => new(name, "octet", false, 0, null);

    private static byte[] Packet(KdumpOpcode opcode, uint block, int payloadLength = 0, byte fill = 0x5A)
    {
        var datagram = new byte[KdumpWire.HeaderSize + payloadLength];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, (ushort)opcode);
        BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(2), block);
        datagram.AsSpan(6).Fill(fill);
        return datagram;
    }

    private static byte[] Seek32(uint block, uint offset)
    {
        var datagram = Packet(KdumpOpcode.Seek, block, 4);
        BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(6), offset);
        return datagram;
    }

    [Fact]
    public void Handle_DataInOrder_WritesSequentiallyAndAcksEachBlock()
    {
        var session = new TransferSession(Modern(), long.MaxValue);

        var first = session.Handle(Packet(KdumpOpcode.Data, 1, 1406));
        var second = session.Handle(Packet(KdumpOpcode.Data, 2, 100));

        Assert.Equal(new TransferStep(TransferAction.Write, 1, 0, 6, 1406), first);
        Assert.Equal(new TransferStep(TransferAction.Write, 2, 1406, 6, 100), second);
        Assert.Equal(3u, session.ExpectedBlock);
        Assert.Equal(1506, session.Length);
    }

    [Fact]
    public void Handle_DataLongerThanNegotiated_IsCutToTheReceiveCap()
    {
        // A 512-byte session (no features) keeps 512 bytes of a 1406-byte payload, as kdumpd's recv does (§5).
        var session = new TransferSession(Legacy(), long.MaxValue);

        var step = session.Handle(Packet(KdumpOpcode.Data, 1, 1406));

        Assert.Equal(512, step.PayloadLength);
        Assert.Equal(1406 - 512, session.Counters.TruncatedBytes);
    }

    [Fact]
    public void Handle_ShortPaniclogPacketWithFill_KeepsTheFillButFullOnesLoseIt()
    {
        // §8.3: every paniclog DATA carries strlen(name)+1 = 11 fill bytes after its payload. A full packet loses
        // them to the receive cap; the short last one keeps them, as kdumpd stores them.
        var session = new TransferSession(Modern("paniclog-x"), long.MaxValue);
        var full = session.Handle(Packet(KdumpOpcode.Data, 1, 1406 + 11, fill: (byte)'Y'));
        var last = session.Handle(Packet(KdumpOpcode.Data, 2, 300 + 11, fill: (byte)'Y'));

        Assert.Equal(1406, full.PayloadLength);
        Assert.Equal(311, last.PayloadLength);
        Assert.Equal(11, session.Counters.TruncatedBytes);
        Assert.Equal(1406 + 311, session.Length);
    }

    [Fact]
    public void Handle_DuplicateOfPreviousBlock_ResendsItsAckWithoutWriting()
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        session.Handle(Packet(KdumpOpcode.Data, 1, 10));

        var step = session.Handle(Packet(KdumpOpcode.Data, 1, 10));

        Assert.Equal(TransferAction.ResendAck, step.Action);
        Assert.Equal(1u, step.AckBlock);
        Assert.Equal(10, session.Length);
        Assert.Equal(1, session.Counters.Duplicates);
    }

    [Fact]
    public void Handle_DuplicateThenNextBlock_BothAnswered()
    {
        // kdumpd's synchnet would discard the valid next packet queued behind a duplicate (§12); we don't.
        var session = new TransferSession(Modern(), long.MaxValue);
        session.Handle(Packet(KdumpOpcode.Data, 1, 10));

        var duplicate = session.Handle(Packet(KdumpOpcode.Data, 1, 10));
        var next = session.Handle(Packet(KdumpOpcode.Data, 2, 10));

        Assert.Equal(TransferAction.ResendAck, duplicate.Action);
        Assert.Equal(TransferAction.Write, next.Action);
        Assert.Equal(2u, next.AckBlock);
    }

    [Theory]
    [InlineData(3u)]
    [InlineData(0u)]
    [InlineData(uint.MaxValue)]
    public void Handle_OtherBlocks_AreIgnored(uint block)
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        session.Handle(Packet(KdumpOpcode.Data, 1, 10));

        var step = session.Handle(Packet(KdumpOpcode.Data, block, 10));

        Assert.Equal(new TransferStep(TransferAction.Ignore, Ignored: IgnoredReason.UnexpectedBlock), step);
        Assert.Equal(2u, session.ExpectedBlock);
    }

    [Fact]
    public void Handle_SeekThenData_WritesAtTheSeekOffsetAndConsumesABlock()
    {
        var session = new TransferSession(Legacy(), long.MaxValue);
        session.Handle(Packet(KdumpOpcode.Data, 1, 100));

        var seek = session.Handle(Seek32(2, 4096));
        var data = session.Handle(Packet(KdumpOpcode.Data, 3, 10));
        var back = session.Handle(Seek32(4, 0));

        Assert.Equal(new TransferStep(TransferAction.Seek, 2, 4096), seek);
        Assert.Equal(4096, data.Offset);
        Assert.Equal(3u, data.AckBlock);
        Assert.Equal(4106, session.Length);
        Assert.Equal(TransferAction.Seek, back.Action);
        Assert.Equal(0, session.Handle(Packet(KdumpOpcode.Data, 5, 1)).Offset);
        Assert.Equal(4106, session.Length);
    }

    [Fact]
    public void Handle_Seek64_NeedsLargeCrashdumps()
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        var datagram = Packet(KdumpOpcode.Seek, 1, 8);
        BinaryPrimitives.WriteUInt64BigEndian(datagram.AsSpan(6), 0x1_0000_0000);

        var step = session.Handle(datagram);

        Assert.Equal(0x1_0000_0000L, step.Offset);
    }

    [Fact]
    public void Handle_SeekTooShort_IsIgnoredNotAcked()
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        var step = session.Handle(Packet(KdumpOpcode.Seek, 1, 4));
        Assert.Equal(IgnoredReason.MalformedSeek, step.Ignored);
        Assert.Equal(1u, session.ExpectedBlock);
    }

    [Fact]
    public void Handle_EofWithAnyBlock_CompletesWithTheExpectedBlock()
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        session.Handle(Packet(KdumpOpcode.Data, 1, 10));

        var step = session.Handle(Packet(KdumpOpcode.Eof, 999));

        Assert.Equal(new TransferStep(TransferAction.Complete, 2), step);
        Assert.Equal(TransferState.Completed, session.State);
        Assert.Equal(2u, session.LastAckBlock);
    }

    [Fact]
    public void Handle_EofRetransmittedAfterCompletion_ResendsTheFinalAck()
    {
        // kdumpd never answers it and the Mac waits ~48 s (§8.2, §17).
        var session = new TransferSession(Modern(), long.MaxValue);
        session.Handle(Packet(KdumpOpcode.Data, 1, 10));
        session.Handle(Packet(KdumpOpcode.Eof, 2));

        var again = session.Handle(Packet(KdumpOpcode.Eof, 2));
        var lateData = session.Handle(Packet(KdumpOpcode.Data, 2, 10));

        Assert.Equal(new TransferStep(TransferAction.ResendAck, 2), again);
        Assert.Equal(IgnoredReason.AfterFinish, lateData.Ignored);
        Assert.Equal(1, session.Counters.EofRetransmissions);
    }

    [Fact]
    public void Handle_ErrorFromPeer_Aborts()
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        Assert.Equal(TransferAction.Abort, session.Handle(Packet(KdumpOpcode.Error, 0, 4)).Action);
        Assert.Equal(TransferState.Incomplete, session.State);
    }

    [Theory]
    [InlineData(KdumpOpcode.WriteRequest)]
    [InlineData(KdumpOpcode.ReadRequest)]
    [InlineData(KdumpOpcode.Ack)]
    [InlineData(KdumpOpcode.Flush)]
    [InlineData((KdumpOpcode)0x0303)]
    public void Handle_OtherOpcodes_AreIgnored(KdumpOpcode opcode)
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        Assert.Equal(IgnoredReason.UnexpectedOpcode, session.Handle(Packet(opcode, 1, 20)).Ignored);
        Assert.Equal(TransferState.Receiving, session.State);
    }

    [Fact]
    public void Handle_DataPastSizeLimit_StopsTheTransfer()
    {
        var session = new TransferSession(Modern(), maxDumpBytes: 1000);
        session.Handle(Packet(KdumpOpcode.Data, 1, 900));

        var step = session.Handle(Packet(KdumpOpcode.Data, 2, 101));

        Assert.Equal(TransferAction.LimitExceeded, step.Action);
        Assert.Equal(TransferState.Incomplete, session.State);
        Assert.Equal(900, session.Length);
    }

    [Fact]
    public void Handle_SeekPastSizeLimit_StopsTheTransfer()
    {
        var session = new TransferSession(Legacy(), maxDumpBytes: 1000);
        Assert.Equal(TransferAction.LimitExceeded, session.Handle(Seek32(1, 1001)).Action);
    }

    [Fact]
    public void WriteLastAck_BeforeData_IsAckZeroWithFeatures_AfterwardPlain()
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        var buffer = new byte[6];

        session.WriteLastAck(buffer);
        Assert.Equal(new byte[] { 3, 4, 0, 0, 0, 0 }, buffer);

        session.Handle(Packet(KdumpOpcode.Data, 1, 10));
        session.WriteLastAck(buffer);
        Assert.Equal(new byte[] { 0, 4, 0, 0, 0, 1 }, buffer);
    }

    [Fact]
    public void WriteLastAck_WithoutFeaturesString_HasNoFeatureByte()
    {
        var session = new TransferSession(new WriteRequest("n", "octet", false, 3, null), long.MaxValue);
        var buffer = new byte[6];
        session.WriteLastAck(buffer);
        Assert.Equal(0, buffer[0]);
    }

    [Fact]
    public void IsRetransmissionOf_SameNameBeforeData_True_AfterDataFalse()
    {
        var session = new TransferSession(Modern("a"), long.MaxValue);
        Assert.True(session.IsRetransmissionOf(Modern("a")));
        Assert.False(session.IsRetransmissionOf(Modern("b")));

        session.Handle(Packet(KdumpOpcode.Data, 1, 10));
        Assert.False(session.IsRetransmissionOf(Modern("a")));
    }

    [Fact]
    public void OnSilence_ResendsEveryTwoSecondsAndGivesUpAtFifty()
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        session.Handle(Packet(KdumpOpcode.Data, 1, 10));

        Assert.Equal(IgnoredReason.NotYetDue, session.OnSilence(TimeSpan.FromSeconds(1.9)).Ignored);
        Assert.Equal(new TransferStep(TransferAction.ResendAck, 1), session.OnSilence(TimeSpan.FromSeconds(2)));
        Assert.Equal(TransferAction.ResendAck, session.OnSilence(TimeSpan.FromSeconds(49.9)).Action);
        Assert.Equal(TransferAction.GiveUp, session.OnSilence(TimeSpan.FromSeconds(50)).Action);
        Assert.Equal(TransferState.Incomplete, session.State);
    }

    [Fact]
    public void OnSilence_NothingSinceTheWrq_GivesUpAtTheFirstDataLimit()
    {
        var idle = new TransferSession(Modern(), long.MaxValue);
        var busy = new TransferSession(Modern(), long.MaxValue);
        busy.Handle(Packet(KdumpOpcode.Data, 1, 10));

        Assert.Equal(new TransferStep(TransferAction.ResendAck, 0), idle.OnSilence(KdumpTimings.FirstDataLimit - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(TransferAction.GiveUp, idle.OnSilence(KdumpTimings.FirstDataLimit).Action);
        Assert.Equal(TransferAction.ResendAck, busy.OnSilence(KdumpTimings.FirstDataLimit).Action);
    }

    [Fact]
    public void OnSilence_AfterCompletion_LingersThenCloses()
    {
        var session = new TransferSession(Modern(), long.MaxValue);
        session.Handle(Packet(KdumpOpcode.Eof, 1));

        Assert.Equal(TransferAction.Ignore, session.OnSilence(TimeSpan.FromSeconds(10)).Action);
        Assert.Equal(TransferAction.Close, session.OnSilence(KdumpTimings.FinishedLinger).Action);
    }

    /// <summary>Packets shaped like a real transfer's (blocks near the expected one, SEEKs, EOFs), so that most
    /// are accepted and the invariants are exercised, not only "never throws". A model of the file, kept beside the
    /// session, says what each step must be: every accepted DATA is one write inside its datagram, counted once, at
    /// the offset the model expects, flagged as a rewrite exactly when it lands below the high-water mark.</summary>
    [Property(MaxTest = 300)]
    public bool Handle_PlausiblePacketSequences_AgreeWithAModelOfTheFile((byte Kind, byte BlockShift, ushort Size)[] packets)
    {
        const long limit = 64 * 1024;
        const long holeLimit = 16 * 1024;
        var session = new TransferSession(Modern(), limit, holeLimit);
        long writes = 0, payloadBytes = 0, offset = 0, length = 0, holes = 0;
        foreach (var (kind, blockShift, size) in packets ?? [])
        {
            var block = unchecked(session.ExpectedBlock + (uint)(blockShift % 3) - 1);
            var expected = block == session.ExpectedBlock && session.State == TransferState.Receiving;
            var datagram = (kind % 4) switch
            {
                0 or 1 => Packet(KdumpOpcode.Data, block, size % 1500),
                2 => Packet(KdumpOpcode.Seek, block, 8),
                _ => Packet(KdumpOpcode.Eof, block),
            };
            if (kind % 4 == 2)
            {
                BinaryPrimitives.WriteUInt64BigEndian(datagram.AsSpan(6), (ulong)(size * 7));
            }

            var step = session.Handle(datagram);
            switch (step.Action)
            {
                case TransferAction.Write:
                    var payload = Math.Min(size % 1500, KdumpWire.LargeDataSize);
                    if (!expected || step.PayloadStart + step.PayloadLength > datagram.Length || step.PayloadLength != payload
                        || step.Offset != offset || step.Offset + step.PayloadLength > limit || step.AckBlock != block
                        || step.Rewrites != (offset < length && payload > 0))
                    {
                        return false;
                    }

                    writes++;
                    payloadBytes += payload;
                    offset += payload;
                    length = Math.Max(length, offset);
                    break;
                case TransferAction.Seek:
                    if (!expected || step.Offset != size * 7)
                    {
                        return false;
                    }

                    holes += Math.Max(0, step.Offset - length);
                    offset = step.Offset;
                    break;
                case TransferAction.LimitExceeded:
                    var over = step.Exceeded switch
                    {
                        TransferLimit.DumpSize => step.Offset + step.PayloadLength > limit,
                        TransferLimit.Holes => holes + Math.Max(0, step.Offset - length) > holeLimit,
                        _ => false,
                    };
                    if (!expected || !over)
                    {
                        return false;
                    }

                    break;
            }
        }

        return writes == session.Counters.DataPackets && payloadBytes == session.Counters.PayloadBytes
            && length == session.Length && holes == session.HoleBytes && session.HoleBytes <= holeLimit
            && session.Length <= limit && session.StoredBytesBound <= Math.Min(length, payloadBytes);
    }

    [Fact]
    public void Handle_MachOSeekPattern_FlagsOnlyTheWritesBelowTheHighWaterMark()
    {
        // §7, pre-10.11: header at 0, SEEK past the header region, data, SEEK back into the header, data.
        var session = new TransferSession(Legacy(), long.MaxValue, maxHoleBytes: 4096);

        var header = session.Handle(Packet(KdumpOpcode.Data, 1, 100));
        session.Handle(Seek32(2, 4096));
        var region = session.Handle(Packet(KdumpOpcode.Data, 3, 500));
        session.Handle(Seek32(4, 100));
        var command = session.Handle(Packet(KdumpOpcode.Data, 5, 72));

        Assert.False(header.Rewrites);
        Assert.False(region.Rewrites);
        Assert.True(command.Rewrites);
        Assert.Equal(100, command.Offset);
        Assert.Equal(3996, session.HoleBytes);
        Assert.Equal(672, session.StoredBytesBound);
    }

    [Fact]
    public void Handle_SeeksLeavingHolesPastTheLimit_StopTheTransferAndSayWhy()
    {
        // A SEEK near the size limit, one byte, EOF: a 4 GiB file holding one byte. Holes add up across SEEKs.
        var session = new TransferSession(Legacy(), long.MaxValue, maxHoleBytes: 10_000);

        Assert.Equal(TransferAction.Seek, session.Handle(Seek32(1, 6_000)).Action);
        Assert.Equal(TransferAction.Write, session.Handle(Packet(KdumpOpcode.Data, 2, 1)).Action);
        var step = session.Handle(Seek32(3, 10_500));

        Assert.Equal(TransferAction.LimitExceeded, step.Action);
        Assert.Equal(TransferLimit.Holes, step.Exceeded);
        Assert.Equal(TransferState.Incomplete, session.State);
        Assert.Equal(6_000, session.HoleBytes);
    }

    [Property(MaxTest = 300)]
    public bool Handle_AnySequenceOfDatagrams_NeverThrowsAndKeepsInvariants(byte[][] datagrams)
    {
        var session = new TransferSession(Modern(), 1 << 20);
        foreach (var datagram in datagrams ?? [])
        {
            var step = session.Handle(datagram ?? []);
            if (step.Action == TransferAction.Write && (step.PayloadStart + step.PayloadLength > datagram!.Length || step.PayloadLength > KdumpWire.LargeDataSize))
            {
                return false;
            }
        }

        return session.Length <= 1 << 20;
    }
}
