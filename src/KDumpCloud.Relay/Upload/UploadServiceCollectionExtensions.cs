using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using KDumpCloud.Ingest.Hosting;
using KDumpCloud.Relay.Telemetry;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Upload;

public static class UploadServiceCollectionExtensions
{
    /// <summary>
    /// The uploader and its storage clients, only when <c>KDumpStorage</c> is configured; otherwise nothing is added
    /// and the relay runs as before. Call after the spool's services, so the spool is recovered before the uploader
    /// reads it.
    /// </summary>
    public static IServiceCollection AddDumpUploads(this IServiceCollection services, IConfiguration configuration)
    {
        if (!KDumpStorageOptions.IsConfigured(configuration))
        {
            return services;
        }

        services.AddKDumpStorageOptions(configuration, StorageServices.Blob | StorageServices.Queue);
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UploadOptions>, UploadOptionsAnnotationsValidator>();
        services.AddSingleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>();

        services.AddAzureClients(clients =>
        {
            // The SDK's own retry policy (Upload:Client:Retry:MaxRetries, :Delay, :MaxDelay, :NetworkTimeout) is the
            // only per-call retry; the uploader never retries a call on top of it.
            clients.ConfigureDefaults(configuration.GetSection(UploadOptions.SectionName + ":Client"));

            // One credential for both clients, used only in the identity-based form: never a key in a file.
            clients.UseCredential(provider => provider.GetRequiredService<IOptions<KDumpStorageOptions>>().Value.CreateCredential());
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential, provider) =>
                provider.GetRequiredService<IOptions<KDumpStorageOptions>>().Value.CreateBlobServiceClient(credential, options));
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, provider) =>
            {
                // The Functions Storage-queue trigger reads base64 by default (host.json messageEncoding).
                options.MessageEncoding = QueueMessageEncoding.Base64;
                return provider.GetRequiredService<IOptions<KDumpStorageOptions>>().Value.CreateQueueServiceClient(credential, options);
            });
        });
        services.AddSingleton<UploadBacklog>();
        services.AddSingleton<StorageResilience>();
        services.AddSingleton<UploadMetrics>();
        services.AddSingleton<UploadStorage>();
        services.AddHostedService<DumpUploader>();
        return services;
    }
}
