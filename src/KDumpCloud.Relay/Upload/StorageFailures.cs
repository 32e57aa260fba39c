using System.Net.Sockets;
using Azure;
using Polly.Timeout;

namespace KDumpCloud.Relay.Upload;

/// <summary>Which failures of a storage call say the account is out of reach (what the circuit breaker counts), and
/// how to name a failure in one short log phrase.</summary>
internal static class StorageFailures
{
    /// <summary>
    /// No answer, or an answer that says the service cannot serve now, as a storage call reports it: no connection
    /// (the SDK's status 0), a timeout (ours, or the SDK's network timeout, a cancellation), 408, 429, 5xx, or the
    /// SDK's "retry failed" made only of those. A refusal of this request (400 for a damaged block, 403, 404, 409,
    /// 412) is an answer: the account is there. Local failures (an <see cref="IOException"/> reading the dump) are
    /// not outages either; the SDK never lets a transport exception out unwrapped.
    /// </summary>
    public static bool IsOutage(Exception error) => error switch
    {
        TimeoutRejectedException => true,
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsOutage),
        OperationCanceledException => true,
        _ => false,
    };

    /// <summary>The innermost useful phrase: the last attempt of an SDK retry, the socket error of a failed connection,
    /// the status and error code of an answer; one line.</summary>
    public static string Describe(Exception error)
    {
        var text = error switch
        {
            TimeoutRejectedException timeout => $"no answer within {timeout.Timeout.TotalSeconds:0.###} s",
            AggregateException { InnerExceptions.Count: > 0 } aggregate => Describe(aggregate.InnerExceptions[^1]),
            RequestFailedException { Status: 0, InnerException: { } inner } => Describe(inner),
            RequestFailedException answer => $"{answer.Status} {answer.ErrorCode}".TrimEnd(),
            HttpRequestException { InnerException: SocketException socket } => socket.Message,
            _ => error.Message,
        };
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
