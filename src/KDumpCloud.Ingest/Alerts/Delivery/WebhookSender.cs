using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using KDumpCloud.Ingest.Alerts.Formats;
using KDumpCloud.Ingest.Telemetry;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace KDumpCloud.Ingest.Alerts.Delivery;

/// <summary>
/// Sends a formatted message to one sink through <see cref="IHttpClientFactory"/> (client <see cref="HttpClientName"/>)
/// and the sink's own Polly pipeline: a total timeout (<see cref="AlertOptions.SendTimeout"/>) around retries (429,
/// 408, 5xx, timeouts, refused connections; exponential with jitter, or the service's <c>Retry-After</c> up to
/// <see cref="AlertOptions.MaxRetryAfter"/>), a circuit breaker, and a per-attempt timeout. One sink's pipeline never
/// waits on another's. Nothing here logs or returns the URL.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<AlertOptions> options, TimeProvider time)
{
    /// <summary>The named client: no redirects followed (a webhook that redirects is misconfigured, and the URL is a
    /// secret), no client-wide timeout (the pipeline's apply).</summary>
    public const string HttpClientName = "kdumpcloud-alerts";

    /// <summary>Longest a service's Retry-After puts a message off.</summary>
    public static readonly TimeSpan MaxPutOff = TimeSpan.FromHours(1);

    private const int MaxDetailBytes = 300;
    private readonly AlertOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<HttpResponseMessage, StrongBox<TimeSpan?>> _hints = [];

    /// <summary>Sends <paramref name="body"/>; <paramref name="deliveryId"/> goes in <c>X-KDumpCloud-Delivery</c>
    /// (and is signed with the body for a <c>json</c> sink with a secret).</summary>
    public async Task<DeliveryResult> SendAsync(AlertSink sink, FormattedAlert body, string deliveryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(body);
        var client = clients.CreateClient(HttpClientName);
        var pipeline = _pipelines.GetOrAdd(sink.Id, _ => Build());
        var attempt = 0;
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                using var request = Request(sink, body, deliveryId);
                attempt++;
                try
                {
                    var answer = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                    await RecordAttemptAsync(attempt, answer, token).ConfigureAwait(false);
                    return answer;
                }
                catch (Exception error) when (error is HttpRequestException or OperationCanceledException)
                {
                    RecordAttempt(Activity.Current, attempt, null, null, error is HttpRequestException http ? $"{http.HttpRequestError}" : "timeout");
                    throw;
                }
            }, cancellationToken).ConfigureAwait(false);
            return await ClassifyAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException)
        {
            return new DeliveryResult(DeliveryOutcome.RetryLater, null, "circuit open after repeated failures", time.GetUtcNow() + _options.BreakDuration);
        }
        catch (TimeoutRejectedException)
        {
            return new DeliveryResult(DeliveryOutcome.RetryLater, null, "timed out");
        }
        catch (HttpRequestException error)
        {
            return new DeliveryResult(DeliveryOutcome.RetryLater, null, $"no answer ({error.HttpRequestError})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryOutcome.RetryLater, null, "timed out");
        }
    }

    /// <summary>Each HTTP attempt is an event on the current span (the dispatcher's delivery span): its number, the
    /// status, and the Retry-After the service asked for, so retries inside one send are visible in the trace.</summary>
    private async ValueTask RecordAttemptAsync(int attempt, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (Activity.Current is not { IsAllDataRequested: true } activity)
        {
            return;
        }

        var hint = IsTransient(response.StatusCode) ? await HintAsync(response, cancellationToken).ConfigureAwait(false) : null;
        RecordAttempt(activity, attempt, (int)response.StatusCode, hint, null);
    }

    private static void RecordAttempt(Activity? activity, int attempt, int? status, TimeSpan? retryAfter, string? error)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        var tags = new ActivityTagsCollection { [IngestTags.Attempt] = attempt };
        if (status is { } code)
        {
            tags[IngestTags.HttpStatus] = code;
        }

        if (retryAfter is { } wait)
        {
            tags[IngestTags.RetryAfter] = wait.TotalSeconds;
        }

        if (error is not null)
        {
            tags[IngestTags.ErrorType] = error;
        }

        activity.AddEvent(new ActivityEvent(IngestActivities.AttemptEvent, tags: tags));
    }

    /// <summary>The headers and body of one attempt (a new message per attempt: a request cannot be sent twice).</summary>
    private HttpRequestMessage Request(AlertSink sink, FormattedAlert body, string deliveryId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, sink.Url)
        {
            Content = new ByteArrayContent(body.Body) { Headers = { ContentType = new MediaTypeHeaderValue(FormattedAlert.ContentType) { CharSet = "utf-8" } } },
        };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("KDumpCloud", "1"));
        if (sink.Kind == AlertSinkKind.Json)
        {
            request.Headers.Add(WebhookSignature.DeliveryHeader, deliveryId);
            if (sink.Secret is { } secret)
            {
                var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
                request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body.Body));
            }
        }

        return request;
    }

    private async Task<DeliveryResult> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return new DeliveryResult(DeliveryOutcome.Delivered, status, $"{status} {response.ReasonPhrase}");
        }

        var detail = $"{status} {response.ReasonPhrase}: {await DetailAsync(response, cancellationToken).ConfigureAwait(false)}";
        if (IsTransient(response.StatusCode))
        {
            var hint = await HintAsync(response, cancellationToken).ConfigureAwait(false);
            DateTimeOffset? retryAt = hint is { } wait ? time.GetUtcNow() + (wait < MaxPutOff ? wait : MaxPutOff) : null;
            return new DeliveryResult(DeliveryOutcome.RetryLater, status, detail, retryAt);
        }

        return new DeliveryResult(DeliveryOutcome.Rejected, status, detail);
    }

    private ResiliencePipeline<HttpResponseMessage> Build()
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddTimeout(_options.SendTimeout);
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryDelay,
                ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context.CancellationToken),
                DelayGenerator = async args => args.Outcome.Result is { } response
                    ? await HintAsync(response, args.Context.CancellationToken).ConfigureAwait(false)
                    : null,
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.8,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(60),
                BreakDuration = _options.BreakDuration,
                // A 429 is the service pacing us, not a service that is down.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
                    _ => false,
                }),
            })
            .AddTimeout(_options.AttemptTimeout)
            .Build();
    }

    private async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
    {
        if (outcome.Exception is HttpRequestException or TimeoutRejectedException)
        {
            return true;
        }

        if (outcome.Result is not { } response || !IsTransient(response.StatusCode))
        {
            return false;
        }

        // A wait longer than we hold a send open for puts the message off instead (ClassifyAsync sets when).
        return await HintAsync(response, cancellationToken).ConfigureAwait(false) is not { } wait || wait <= _options.MaxRetryAfter;
    }

    /// <summary>The response's Retry-After, read once per response (the retry asks twice).</summary>
    private async ValueTask<TimeSpan?> HintAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (_hints.TryGetValue(response, out var known))
        {
            return known.Value;
        }

        var hint = await RetryAfter.ReadAsync(response, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _hints.AddOrUpdate(response, new StrongBox<TimeSpan?>(hint));
        return hint;
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>The start of an error body, for the log: at most <see cref="MaxDetailBytes"/>, one line.</summary>
    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxDetailBytes];
                var read = 0;
                int n;
                while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    read += n;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, read).ReplaceLineEndings(" ");
                return AlertText.Cut(text, 200) is { Length: > 0 } cut ? cut : "(no body)";
            }
        }
        catch (Exception error) when (error is HttpRequestException or IOException)
        {
            return "(body unreadable)";
        }
    }
}
