using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using KDumpCloud.Relay.Upload;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Operations;

/// <summary>
/// Reported, not required for ready: whether Azure Storage answers, asked for the dumps container's and the ingest
/// queue's properties. Any HTTP answer counts as reachable (a 403 only says this identity may not read properties,
/// which the relay's narrow roles allow); no answer, or a credential that cannot get a token, is degraded. The answer
/// is kept for <see cref="CacheDuration"/> so that probes and dashboard views do not each call Azure. Runs outside the
/// uploader's circuit breaker, so it neither waits for the circuit nor counts towards opening it.
/// </summary>
internal sealed class StorageHealthCheck(BlobServiceClient blobs, QueueServiceClient queues, IOptions<UploadOptions> options, TimeProvider time)
    : IHealthCheck
{
    /// <summary>How long one answer is reused.</summary>
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim _probing = new(1, 1);
    private (HealthCheckResult Result, long At)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _probing.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } last && time.GetElapsedTime(last.At) < CacheDuration)
            {
                return last.Result;
            }

            var container = blobs.GetBlobContainerClient(options.Value.Container);
            var queue = queues.GetQueueClient(options.Value.Queue);
            var problem = await ProbeAsync(token => container.GetPropertiesAsync(cancellationToken: token), "container " + container.Uri, cancellationToken)
                ?? await ProbeAsync(token => queue.GetPropertiesAsync(token), "queue " + queue.Uri, cancellationToken);
            var data = new Dictionary<string, object> { ["container"] = container.Uri.ToString(), ["queue"] = queue.Uri.ToString() };
            var result = problem is null
                ? HealthCheckResult.Healthy("reachable", data)
                : new HealthCheckResult(context.Registration.FailureStatus, "unreachable: " + problem, data: data);
            _last = (result, time.GetTimestamp());
            return result;
        }
        finally
        {
            _probing.Release();
        }
    }

    /// <summary>Null when the service answered at all; else what went wrong.</summary>
    private static async Task<string?> ProbeAsync<T>(Func<CancellationToken, Task<Response<T>>> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            await call(cancellationToken);
            return null;
        }
        catch (RequestFailedException error) when (error.Status != 0)
        {
            return null;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return what + ": " + StorageFailures.Describe(error);
        }
    }
}
