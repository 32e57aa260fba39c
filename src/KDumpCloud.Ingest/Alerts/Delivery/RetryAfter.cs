using System.Globalization;
using System.Net;
using System.Text.Json;

namespace KDumpCloud.Ingest.Alerts.Delivery;

/// <summary>
/// How long a service asks to be left alone: the <c>Retry-After</c> header (delta-seconds or an HTTP date, RFC 9110
/// §10.2.3), else, on a 429, Discord's JSON body <c>{"retry_after": seconds}</c> (read from at most
/// <see cref="MaxBodyBytes"/>). Null when the response says nothing usable.
/// </summary>
public static class RetryAfter
{
    public const int MaxBodyBytes = 4096;

    /// <summary>The wait <paramref name="response"/> asks for, never negative.</summary>
    public static async ValueTask<TimeSpan?> ReadAsync(HttpResponseMessage response, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (header.Date is { } date)
            {
                return date > now ? date - now : TimeSpan.Zero;
            }
        }

        if (response.StatusCode != HttpStatusCode.TooManyRequests)
        {
            return null;
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(MaxBodyBytes, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return FromDiscordBody(body);
        }
        catch (HttpRequestException)
        {
            return null; // a body over the bound, or a broken one: no hint from it
        }
    }

    /// <summary>Discord's <c>retry_after</c> (seconds, possibly fractional) from a 429's JSON body.</summary>
    public static TimeSpan? FromDiscordBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body.Length > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("retry_after", out var value)
                && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds)
                && double.IsFinite(seconds) && seconds >= 0 && seconds < TimeSpan.FromDays(1).TotalSeconds)
            {
                return TimeSpan.FromSeconds(seconds);
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    internal static string Describe(TimeSpan wait) => wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
