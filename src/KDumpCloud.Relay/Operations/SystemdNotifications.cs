using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting.Systemd;

namespace KDumpCloud.Relay.Operations;

/// <summary>
/// The relay's messages to systemd (<c>sd_notify</c>: datagrams to the Unix socket named by <c>NOTIFY_SOCKET</c>,
/// which systemd sets for a <c>Type=notify</c> service; a leading <c>@</c> names an abstract socket). It also stands
/// in for systemd's own notifier: <c>SystemdLifetime</c> sends <c>READY=1</c> as soon as every hosted service has
/// started, which is not yet "ready" as the relay means it, so that one message is dropped here and
/// <see cref="ReadinessMonitor"/> sends it when the readiness checks pass. <c>STOPPING=1</c> and the rest pass through.
/// </summary>
internal sealed partial class SystemdNotifications(IConfiguration configuration, ILogger<SystemdNotifications> logger) : ISystemdNotifier
{
    /// <summary>The setting (environment variable) systemd names its socket in.</summary>
    public const string SocketSetting = "NOTIFY_SOCKET";

    private readonly string? _socketPath = configuration[SocketSetting] is { Length: > 0 } path
        ? path[0] == '@' ? "\0" + path[1..] : path
        : null;

    private const int MaxStatusChars = 1000;

    private int _failuresLogged;

    /// <summary>Whether systemd listens (NOTIFY_SOCKET is set).</summary>
    public bool IsEnabled => _socketPath is not null;

    /// <summary>From the host's lifetime: everything but <c>READY=1</c>, which is the relay's to send.</summary>
    public void Notify(ServiceState state)
    {
        var text = state.ToString();
        if (text != ServiceState.Ready.ToString())
        {
            Send(text);
        }
    }

    /// <summary><c>READY=1</c> with a <c>STATUS=</c> line saying what is ready.</summary>
    public void NotifyReady(string status) => Send("READY=1\nSTATUS=" + OneLine(status));

    /// <summary>A <c>STATUS=</c> line (<c>systemctl status</c> shows it).</summary>
    public void NotifyStatus(string status) => Send("STATUS=" + OneLine(status));

    private void Send(string message)
    {
        if (_socketPath is null)
        {
            return;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
            socket.Send(Encoding.UTF8.GetBytes(message));
        }
        catch (SocketException error)
        {
            // systemd restarted or the socket is gone: say so once, the relay itself is not affected.
            if (Interlocked.Increment(ref _failuresLogged) == 1)
            {
                LogNotifyFailed(logger, _socketPath.Replace('\0', '@'), error.SocketErrorCode);
            }
        }
    }

    /// <summary>One line, bounded: systemd shows a short status, and the message must fit one datagram.</summary>
    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= MaxStatusChars ? line : line[..MaxStatusChars] + "…";
    }

    [LoggerMessage(902, LogLevel.Warning, "Cannot notify systemd on {Socket} ({Error}); not reported again")]
    private static partial void LogNotifyFailed(ILogger logger, string socket, SocketError error);
}
