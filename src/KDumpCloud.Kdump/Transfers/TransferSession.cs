using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Kdump.Transfers;

/// <summary>
/// The receiving side of one transfer as a state machine: datagrams and silence in, decisions out
/// (kdump-protocol.md §6–§8, §11.2, §12). It does no I/O; the host stores payloads and sends ACKs.
/// Not thread-safe: the host serialises calls.
/// </summary>
/// <remarks>
/// Where kdumpd is wrong this does better (§16): a retransmitted EOF gets the final ACK again, and a duplicate
/// is answered without discarding whatever valid datagram arrived with it (kdumpd's <c>synchnet</c>).
/// </remarks>
public sealed class TransferSession
{
    private readonly long _maxDumpBytes;
    private readonly long _maxHoleBytes;
    private uint _finalAckBlock;

    /// <param name="request">The accepted write request.</param>
    /// <param name="maxDumpBytes">The largest file this transfer may produce; a DATA or SEEK past it ends the transfer.</param>
    /// <param name="maxHoleBytes">The most bytes SEEKs past the end of the file may leave unwritten, all SEEKs
    /// together; a SEEK past it ends the transfer.</param>
    public TransferSession(WriteRequest request, long maxDumpBytes, long maxHoleBytes = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDumpBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHoleBytes);
        Request = request;
        Features = request.AcceptedFeatures;
        ReceiveCap = KdumpWire.ReceiveCap(Features);
        _maxDumpBytes = maxDumpBytes;
        _maxHoleBytes = maxHoleBytes;
    }

    public WriteRequest Request { get; }

    public KdumpFeatures Features { get; }

    /// <summary>6 + the negotiated payload size: longer datagrams are cut to this, as kdumpd's recv does (§5).</summary>
    public int ReceiveCap { get; }

    public TransferState State { get; private set; }

    /// <summary>The block the next DATA or SEEK must carry; 1 right after the WRQ (§6).</summary>
    public uint ExpectedBlock { get; private set; } = 1;

    /// <summary>Where the next DATA payload goes.</summary>
    public long Offset { get; private set; }

    /// <summary>The file's length so far (a SEEK past the end leaves a hole but no length until written).</summary>
    public long Length { get; private set; }

    /// <summary>Bytes that SEEKs past the end of the file skipped, all SEEKs together (holes, some filled later).</summary>
    public long HoleBytes { get; private set; }

    /// <summary>An upper bound of the bytes the file really stores: neither its length (holes take no space) nor the
    /// payload received (a rewrite takes no new space) overstates it by more than the other's slack.</summary>
    public long StoredBytesBound => Math.Min(Length, Counters.PayloadBytes);

    public TransferCounters Counters { get; } = new();

    /// <summary>The block of the last ACK sent; 0 is the WRQ's answer.</summary>
    public uint LastAckBlock => State == TransferState.Completed ? _finalAckBlock : unchecked(ExpectedBlock - 1);

    /// <summary>A WRQ for the same name from the same peer before any data: our ACK 0 was lost, send it again.
    /// After the first DATA a late WRQ copy gets nothing, because the kernel takes any reply as an ACK (§11.1).</summary>
    public bool IsRetransmissionOf(WriteRequest request) =>
        State == TransferState.Receiving && ExpectedBlock == 1 && request.FileName == Request.FileName;

    /// <summary>The host ended the transfer for its own reasons (spool full, write error, a newer request):
    /// from now on it only lingers, like any other finished transfer.</summary>
    public void MarkIncomplete()
    {
        if (State == TransferState.Receiving)
        {
            State = TransferState.Incomplete;
        }
    }

    /// <summary>Encodes the last ACK (ACK 0 with its feature byte when that is the last one, §4.3).</summary>
    public int WriteLastAck(Span<byte> destination)
    {
        var block = LastAckBlock;
        var features = block == 0 && ExpectedBlock == 1 && State == TransferState.Receiving ? Features : KdumpFeatures.None;
        return KdumpPacketWriter.WriteAck(destination, block, features);
    }

    /// <summary>Decides what one datagram from the peer means. Never throws on any bytes.</summary>
    public TransferStep Handle(ReadOnlySpan<byte> datagram)
    {
        if (!KdumpPacketReader.TryReadHeader(datagram, out var opcode, out var block))
        {
            return Ignore(IgnoredReason.TooShort);
        }

        if (State != TransferState.Receiving)
        {
            if (State == TransferState.Completed && opcode == (ushort)KdumpOpcode.Eof)
            {
                Counters.EofRetransmissions++;
                return new TransferStep(TransferAction.ResendAck, _finalAckBlock);
            }

            return Ignore(IgnoredReason.AfterFinish);
        }

        var capped = datagram.Length > ReceiveCap ? datagram[..ReceiveCap] : datagram;
        switch ((KdumpOpcode)opcode)
        {
            case KdumpOpcode.Data when block == ExpectedBlock:
                Counters.TruncatedBytes += datagram.Length - capped.Length;
                return AcceptData(capped.Length - KdumpWire.HeaderSize);
            case KdumpOpcode.Seek when block == ExpectedBlock:
                return AcceptSeek(capped);
            case KdumpOpcode.Data or KdumpOpcode.Seek when block == unchecked(ExpectedBlock - 1):
                Counters.Duplicates++;
                return new TransferStep(TransferAction.ResendAck, block);
            case KdumpOpcode.Data or KdumpOpcode.Seek:
                return Ignore(IgnoredReason.UnexpectedBlock);
            case KdumpOpcode.Eof:
                // kdumpd does not check the EOF's block; its final ACK carries the expected block (§6, §8.2).
                _finalAckBlock = ExpectedBlock;
                State = TransferState.Completed;
                return new TransferStep(TransferAction.Complete, _finalAckBlock);
            case KdumpOpcode.Error:
                State = TransferState.Incomplete;
                return new TransferStep(TransferAction.Abort);
            default:
                return Ignore(IgnoredReason.UnexpectedOpcode);
        }
    }

    /// <summary>
    /// The host's timer: <paramref name="silence"/> is the time since the last datagram from the peer. While
    /// receiving, resend the last ACK (every 2 s) until 50 s of silence, then give up (§11.2); before any DATA or
    /// SEEK, give up after <see cref="KdumpTimings.FirstDataLimit"/>. A finished
    /// or refused transfer closes after its linger time.
    /// </summary>
    public TransferStep OnSilence(TimeSpan silence)
    {
        switch (State)
        {
            case TransferState.Receiving when silence >= KdumpTimings.SilenceLimit
                || (silence >= KdumpTimings.FirstDataLimit && ExpectedBlock == 1):
                State = TransferState.Incomplete;
                return new TransferStep(TransferAction.GiveUp);
            case TransferState.Receiving when silence >= KdumpTimings.AckRetransmitInterval:
                Counters.AckRetransmissions++;
                return new TransferStep(TransferAction.ResendAck, LastAckBlock);
            case TransferState.Receiving:
                return Ignore(IgnoredReason.NotYetDue);
            case TransferState.Completed or TransferState.Incomplete when silence < KdumpTimings.FinishedLinger:
                return Ignore(IgnoredReason.NotYetDue);
            default:
                return new TransferStep(TransferAction.Close);
        }
    }

    private TransferStep AcceptData(int payloadLength)
    {
        if (Offset + payloadLength > _maxDumpBytes)
        {
            State = TransferState.Incomplete;
            return new TransferStep(TransferAction.LimitExceeded, Offset: Offset, PayloadLength: payloadLength,
                Exceeded: TransferLimit.DumpSize);
        }

        var step = new TransferStep(TransferAction.Write, ExpectedBlock, Offset, KdumpWire.DataOffset, payloadLength,
            Rewrites: Offset < Length && payloadLength > 0);
        Offset += payloadLength;
        Length = Math.Max(Length, Offset);
        Counters.DataPackets++;
        Counters.PayloadBytes += payloadLength;
        ExpectedBlock++;
        return step;
    }

    private TransferStep AcceptSeek(ReadOnlySpan<byte> datagram)
    {
        if (!KdumpPacketReader.TryReadSeekOffset(datagram, Features, out var offset))
        {
            return Ignore(IgnoredReason.MalformedSeek);
        }

        if (offset > (ulong)_maxDumpBytes)
        {
            State = TransferState.Incomplete;
            return new TransferStep(TransferAction.LimitExceeded, Offset: (long)Math.Min(offset, long.MaxValue),
                Exceeded: TransferLimit.DumpSize);
        }

        // offset <= _maxDumpBytes, so it fits a long from here on.
        var hole = Math.Max(0, (long)offset - Length);
        if (hole > _maxHoleBytes - HoleBytes)
        {
            State = TransferState.Incomplete;
            return new TransferStep(TransferAction.LimitExceeded, Offset: (long)offset, Exceeded: TransferLimit.Holes);
        }

        HoleBytes += hole;
        Offset = (long)offset;
        Counters.Seeks++;
        return new TransferStep(TransferAction.Seek, ExpectedBlock++, Offset);
    }

    private TransferStep Ignore(IgnoredReason reason)
    {
        if (reason != IgnoredReason.NotYetDue)
        {
            Counters.Ignored++;
        }

        return new TransferStep(TransferAction.Ignore, Ignored: reason);
    }
}
