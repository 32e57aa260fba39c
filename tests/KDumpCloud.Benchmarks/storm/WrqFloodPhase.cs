using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Kdump.Packets;

namespace KDumpCloud.Benchmarks.Storm;

/// <summary>
/// Phase 3: one Mac (127.4.0.1, one source port, as a real Mac always sends from its panicd_port) sends a WRQ with a
/// new name as soon as the previous one was answered (or after the reply wait), and never any DATA: the pattern
/// that made one socket create thousands of files (issue 6, item 1).
/// </summary>
internal static class WrqFloodPhase
{
    public static async Task<PhaseResult> RunAsync(StormContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        var wrqs = new WrqStats();
        var address = SourceAddresses.For(SourceAddresses.Flood, 0);
        using var socket = SourceSocket.Bind(context.Source(address));
        var writer = new KdumpClientPacketWriter(KernelGeneration.Xnu7195Plus);
        var profile = writer.Profile;
        var server = context.Server.Serialize();
        var from = new SocketAddress(AddressFamily.InterNetwork);
        var buffer = new byte[KdumpWire.MaxDatagramSize];
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(o.FloodDuration.TotalSeconds * Stopwatch.Frequency);
        var sent = 0;
        var errorTexts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
        {
            var name = StormContext.CoreName(address, 0x4000_0000u + (uint)sent);
            var sentAt = Stopwatch.GetTimestamp();
            await socket.SendToAsync(writer.WriteRequest(name), SocketFlags.None, server, cancellationToken);
            sent++;
            var length = await ReceiveAsync(socket, buffer, from, o.FloodReplyWait, cancellationToken);
            if (length < 0)
            {
                wrqs.RecordUnanswered();
                continue;
            }

            switch (KernelReply.Interpret(profile, awaitingWriteRequestAck: true, 0, buffer.AsSpan(0, length), out _))
            {
                case KernelReplyKind.Acknowledged:
                    wrqs.RecordAck(Stopwatch.GetTimestamp() - sentAt);
                    break;
                case KernelReplyKind.Error:
                    wrqs.RecordError();
                    var text = KernelReply.ErrorText(buffer.AsSpan(0, length));
                    errorTexts[text] = errorTexts.GetValueOrDefault(text) + 1;
                    break;
                default:
                    wrqs.RecordOther();
                    break;
            }
        }

        var wall = Stopwatch.GetElapsedTime(started);
        var notes = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{sent} WRQs in {wall.TotalSeconds:F1} s ({sent / wall.TotalSeconds:F0}/s), {wrqs.Acknowledged / wall.TotalSeconds:F0} ACK 0 per second"),
        };
        notes.AddRange(errorTexts.OrderByDescending(e => e.Value).Take(3).Select(e => $"ERROR \"{e.Key}\": {e.Value}"));
        return new PhaseResult
        {
            Name = "3. WRQ flood",
            Description = string.Create(CultureInfo.InvariantCulture,
                $"one Mac (127.4.0.1, one source port) sending WRQs with new names, each after the previous reply or {o.FloodReplyWait.TotalMilliseconds:0} ms, no DATA, for {o.FloodDuration.TotalSeconds:0} s"),
            Wall = wall,
            Wrqs = wrqs,
            Notes = notes,
        };
    }

    private static async ValueTask<int> ReceiveAsync(Socket socket, byte[] buffer, SocketAddress from, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        while (true)
        {
            try
            {
                return await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return -1;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                // An ICMP error surfaced on the socket: keep waiting for a reply.
            }
        }
    }
}
