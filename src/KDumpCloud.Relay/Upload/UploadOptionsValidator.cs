using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using KDumpCloud.Relay.Options;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Upload;

/// <summary>The DataAnnotations checks of <see cref="UploadOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class UploadOptionsAnnotationsValidator : IValidateOptions<UploadOptions>;

/// <summary>What attributes can't say: the block count a largest dump needs.</summary>
internal sealed class UploadOptionsValidator(IOptions<RelayOptions> relay) : IValidateOptions<UploadOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadOptions options)
    {
        var blocks = (relay.Value.MaxDumpBytes + options.BlockSizeBytes - 1) / options.BlockSizeBytes;
        return blocks > UploadOptions.MaxBlocksPerBlob
            ? ValidateOptionsResult.Fail(
                $"Upload:BlockSizeBytes ({options.BlockSizeBytes}) is too small for Relay:MaxDumpBytes ({relay.Value.MaxDumpBytes}): " +
                $"a largest dump would need {blocks} blocks and a blob holds at most {UploadOptions.MaxBlocksPerBlob}.")
            : ValidateOptionsResult.Success;
    }
}

/// <summary>Checks the <c>KDumpStorage</c> key at start: a connection string the storage SDK can parse, or two
/// absolute https (or http, for an emulator) service URIs. Nothing is contacted: an unreachable account does not
/// stop the relay.</summary>
internal sealed class KDumpStorageOptionsValidator : IValidateOptions<KDumpStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, KDumpStorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                _ = new BlobServiceClient(options.ConnectionString);
                _ = new QueueServiceClient(options.ConnectionString);
                return ValidateOptionsResult.Success;
            }
            catch (Exception error) when (error is FormatException or ArgumentException or InvalidOperationException)
            {
                // The SDK's message may quote the string, and with it an account key: say only what is wrong.
                return ValidateOptionsResult.Fail(
                    $"KDumpStorage is not a usable storage connection string ({error.GetType().Name}); " +
                    "expected e.g. UseDevelopmentStorage=true or DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...");
            }
        }

        var failures = new List<string>();
        CheckUri(options.BlobServiceUri, "KDumpStorage:blobServiceUri", failures);
        CheckUri(options.QueueServiceUri, "KDumpStorage:queueServiceUri", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckUri(string? value, string key, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{key} is missing: set KDumpStorage to a connection string, or both KDumpStorage:blobServiceUri and KDumpStorage:queueServiceUri.");
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{key} '{value}' is not an absolute https URI such as https://account.blob.core.windows.net.");
        }
    }
}
