using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KDumpCloud.Relay.Operations;

/// <summary>
/// The health endpoints' JSON body: the overall status, whether the relay is ready (readiness only: liveness runs no
/// check and cannot tell), and each check with its status, whether readiness requires it, what it found and its
/// figures:
/// <c>{"status":"Degraded","ready":true,"checks":[{"name":"listener","status":"Healthy","required":true,
/// "description":"listening on UDP 0.0.0.0:1069","durationMs":0.1,"data":{"endPoint":"0.0.0.0:1069"}},…]}</c>.
/// </summary>
internal static class HealthJson
{
    public static Task WriteReadinessAsync(HttpContext context, HealthReport report) => WriteAsync(context, report, readiness: true);

    public static Task WriteLivenessAsync(HttpContext context, HealthReport report) => WriteAsync(context, report, readiness: false);

    private static async Task WriteAsync(HttpContext context, HealthReport report, bool readiness)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        Write(json, report, readiness);
        await json.FlushAsync(context.RequestAborted);
    }

    public static void Write(Utf8JsonWriter json, HealthReport report, bool readiness)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(report);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        if (readiness)
        {
            json.WriteBoolean("ready", RelayHealth.IsReady(report));
        }

        json.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 3));
        json.WriteStartArray("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteBoolean("required", RelayHealth.IsRequired(entry));
            json.WriteString("description", entry.Description);
            json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 3));
            if (entry.Data.Count > 0)
            {
                json.WriteStartObject("data");
                foreach (var (key, value) in entry.Data)
                {
                    WriteValue(json, key, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, string key, object value)
    {
        switch (value)
        {
            case bool flag:
                json.WriteBoolean(key, flag);
                break;
            case int number:
                json.WriteNumber(key, number);
                break;
            case long number:
                json.WriteNumber(key, number);
                break;
            case double number:
                json.WriteNumber(key, number);
                break;
            default:
                json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
