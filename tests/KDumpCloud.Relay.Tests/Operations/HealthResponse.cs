using System.Net;
using System.Text.Json;
using KDumpCloud.Relay.Operations;
using KDumpCloud.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KDumpCloud.Relay.Tests.Operations;

/// <summary>One answer of a health endpoint, read over real HTTP.</summary>
internal sealed record HealthResponse(HttpStatusCode Code, string ContentType, JsonElement Body)
{
    public string Status => Body.GetProperty("status").GetString()!;

    public bool Ready => Body.GetProperty("ready").GetBoolean();

    public JsonElement Check(string name) =>
        Body.GetProperty("checks").EnumerateArray().SingleOrDefault(check => check.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } check
            ? check
            : throw new Xunit.Sdk.XunitException($"no check {name} in {Body}");

    public IReadOnlyList<string> CheckNames => [.. Body.GetProperty("checks").EnumerateArray().Select(check => check.GetProperty("name").GetString()!)];

    public static async Task<HealthResponse> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return new HealthResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", document.RootElement.Clone());
    }

    /// <summary>A client for the relay's operations endpoint (it must be listening).</summary>
    public static HttpClient ClientFor(RelayUnderTest relay)
    {
        var address = relay.Services.GetRequiredService<OperationsService>().Address
            ?? throw new InvalidOperationException("the operations endpoint is not listening");
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(address.Host)), $"{address} is not loopback");
        return new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }
}
