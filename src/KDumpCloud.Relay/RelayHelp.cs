namespace KDumpCloud.Relay;

/// <summary>The text of <c>--help</c>: the relay is a host, so its settings are configuration keys.</summary>
internal static class RelayHelp
{
    public static bool IsRequested(string[] args) => args.Any(arg => arg is "--help" or "-h" or "-?");

    public const string Text = """
        kdumpcloud-relay: receives macOS kernel core dumps and panic logs (Apple's kdump protocol, UDP) and keeps
        them in a local spool; a drop-in replacement for Apple's kdumpd.

        Point a Mac at it with:  sudo nvram boot-args="debug=0xd44 _panicd_ip=<this machine's IPv4 address>"
        (add panicd_port=<port>, without a leading underscore, if the relay does not listen on 1069).

        Settings (appsettings.json beside the binary, environment variables such as Relay__Port=1069, or --Relay:Port 1069):
          Relay:Port                    UDP port for write requests             default 1069 (0 = any free port)
          Relay:BindAddress             local IPv4 address to listen on         default 0.0.0.0 (all)
          Relay:DataDirectory           spool folder (dumps/ and journal/)      default kdumpcloud-data in the working directory
          Relay:AllowedNetworks:0..n    CIDR ranges served; others get silence  default 127.0.0.0/8, 10.0.0.0/8,
                                                                                172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16
          Relay:MaxDumpBytes            largest single dump                     default 68719476736 (64 GiB)
          Relay:SpoolQuotaBytes         all dumps together                      default 549755813888 (512 GiB)
          Relay:MinFreeDiskBytes        refuse new dumps below this free space  default 1073741824 (1 GiB)
          Relay:MaxConcurrentTransfers  transfers at once                       default 64
          Relay:MaxTransfersPerSource   transfers at once from one Mac address  default 2
          Relay:WriteRequestsPerSecondPerSource
                                        WRQs per second from one address (bursts of 2x); more get silence
                                                                                default 10
          Relay:DumpsPerHourPerSource   dumps one address may start per hour    default 60
          Relay:MaxLingeringTransfers   finished transfers kept ~50 s to answer a retransmitted EOF
                                                                                default 1024
          Relay:MaxHoleBytes            bytes SEEKs may skip past a dump's end  default 67108864 (64 MiB)
          Logging:LogLevel:Default      Information, Debug, Warning, ...        default Information

        Crash ingest in process (only when KDumpStorage is not set; README.md "Crash groups on one machine"):
          EmbeddedIngest:Enabled        decode, fingerprint and group each dump default true (false: only spool)
                                        into crashes.db in Relay:DataDirectory
          EmbeddedIngest:MaxConcurrentDumps
                                        dumps ingested at once                  default 2
          EmbeddedIngest:MaxAttempts    attempts before a dump is recorded as failed (group ingest-failed)
                                                                                default 4
          EmbeddedIngest:RetryDelay     wait after a failed attempt (doubles)   default 00:00:02
          Ingest:MaxTextBytes, Ingest:MaxCoreBytes, Ingest:MaxDecodeDuration, Ingest:VerifyContent
                                        how the core reads a dump               defaults 2 MiB, 16 GiB, 00:01:00, true
          Ingest:GroupingRulesFile      the lab's grouping rules (kdumpcloud decode --rules FILE --explain tries them)
          See the groups with:  kdumpcloud crashes --data-directory <Relay:DataDirectory>

        Crash dashboard (with the ingest in process; README.md "The crash dashboard"):
          Dashboard:Enabled             serve the dashboard over crashes.db     default true
          Dashboard:Url                 where it listens (Kestrel URL)          default http://127.0.0.1:8069 (this
                                                                                machine only). Anyone who can reach it
                                                                                can resolve, ignore, reopen and merge
                                                                                groups: it has no sign-in of its own
          Dashboard:PublicUrl           its address as people reach it, for alert links ({PublicUrl}/groups/<id>)
                                                                                default none
          Dashboard:PageSize, Dashboard:MaxOccurrences
                                        groups per list page, occurrences per group page
                                                                                defaults 50, 200

        Operations endpoint (README.md "Health"): /health/live, /health/ready (503 until listening, spool writable and
        recovered; storage reported, not required) and, with Telemetry:Prometheus true, /metrics
          Operations:Enabled            serve the endpoint                      default true
          Operations:Url                where it listens (Kestrel URL)          default http://127.0.0.1:9464 (this
                                                                                machine only). It has no sign-in:
                                                                                exposing it shows health and metrics
                                                                                to anyone who can reach it
        Under systemd (Type=notify) READY=1 is sent only once ready; STATUS= says what the relay waits for.

        Chat alerts (with the in-process ingest; README.md "Chat alerts"; check with: kdumpcloud alerts test):
          Alerts:Webhooks:N:Kind        slack, teams, discord or json           required per webhook
          Alerts:Webhooks:N:Url         the webhook URL (a secret: keep it in an environment variable or a
                                        file readable by the relay only; logged as host + hash)
          Alerts:Webhooks:N:Secret      json only: HMAC-SHA256 key (X-KDumpCloud-Signature)  default none
          Alerts:Webhooks:N:Events      events this webhook gets                default new,regression,spike,digest
          Alerts:Webhooks:N:Name        name in logs                            default kind and host
          Alerts:SpikeCount             occurrences in SpikeWindow for one spike alert (0: off)  default 10
          Alerts:SpikeWindow                                                    default 01:00:00
          Alerts:GroupInterval          at most one alert per group and webhook default 00:10:00
          Alerts:MaxPerMinute           messages per webhook per minute, the digest included     default 10
          Alerts:MaxAge                 oldest alert still sent to a webhook that was down       default 1.00:00:00
          Alerts:MaxPanicMessageChars   panic message length in an alert        default 1000
          Alerts:LinkTemplate           link when Dashboard:PublicUrl is unset: {fingerprint}, {dumpId}, {fileName}
                                                                                default none
          Dashboard:PublicUrl           link {PublicUrl}/groups/{fingerprint}   default none
          Alerts:AttemptTimeout, Alerts:SendTimeout, Alerts:MaxRetries, Alerts:RetryDelay, Alerts:MaxRetryAfter,
          Alerts:BreakDuration, Alerts:PollInterval
                                        delivery                                defaults 00:00:10, 00:00:30, 3,
                                                                                00:00:01, 00:00:10, 00:00:30, 00:00:05

        Uploading (only when KDumpStorage is set; README.md "Uploading to Azure Blob Storage"):
          KDumpStorage                  storage connection string (Azurite: UseDevelopmentStorage=true), or the
                                        section KDumpStorage:blobServiceUri + KDumpStorage:queueServiceUri
                                        (+ KDumpStorage:clientId) with DefaultAzureCredential, or
                                        the managed identity alone with KDumpStorage:credential
                                        managedidentity                         default none
          Upload:Container              blob container                          default dumps
          Upload:Queue                  ingest queue                            default dump-ingest
          Upload:BlockSizeBytes         staged block size                       default 4194304 (4 MiB)
          Upload:MaxParallelBlocks      blocks staged at once, all dumps        default 8
          Upload:RetryDelay             wait after a failed attempt (doubles)   default 00:00:05
          Upload:MaxRetryDelay          longest wait between attempts           default 00:05:00
          Upload:OperationTimeout       longest one storage call may take, SDK retries included
                                                                                default 00:02:00
          Upload:BreakerFailureRatio    share of calls without an answer that opens the circuit
                                                                                default 0.5
          Upload:BreakerMinimumThroughput
                                        calls in the window before it is judged default 3
          Upload:BreakerSamplingDuration
                                        window the ratio is measured over       default 00:01:00
          Upload:BreakDuration          circuit open before one call probes     default 00:00:30
          Upload:BacklogLogInterval     backlog logged at most this often       default 00:01:00
          Upload:RelayHost              relay name in metadata and messages     default this host's name
          Upload:Client:Retry:*         the storage SDK's per-call retry policy default the SDK's
          Retention:UploadedMaxAge      keep an uploaded dump this long after its message
                                                                                default 7.00:00:00 (7 days)
          Retention:UploadedMaxBytes    uploaded dumps kept, all together       default 68719476736 (64 GiB)
          Retention:HeadroomBytes       room kept for arriving dumps (under the quota, above MinFreeDiskBytes);
                                        uploaded dumps go, oldest first, to keep it
                                                                                default min(MaxDumpBytes, SpoolQuotaBytes / 4)
          Retention:Interval            how often retention runs unprompted     default 00:00:30
          Nothing is removed before its ingest message is sent, and nothing at all without KDumpStorage.

        Traces and metrics (OpenTelemetry; README.md "Traces and metrics in the relay"); nothing is exported unless set:
          Telemetry:OtlpEndpoint        OTLP collector for traces, metrics and logs, e.g. http://127.0.0.1:4317
                                                                                default none
          Telemetry:OtlpProtocol        grpc or http/protobuf                   default grpc
          Telemetry:SamplingRatio       share of dumps whose trace is recorded  default 1.0
          Telemetry:Prometheus          serve metrics for Prometheus to scrape  default false
          APPLICATIONINSIGHTS_CONNECTION_STRING
                                        also export to Application Insights     default none
          One trace per dump: span kdump.receive from the WRQ (its traceparent kept in the journal), kdump.upload per
          upload attempt as its child, the ingest message carrying the context on; find it by the attributes
          kdumpcloud.dump.id, kdumpcloud.dump.file_name or client.address. Metrics on meter KDumpCloud.Relay (kdumpcloud.relay.*).

        Each dump is dumps/<name as the Mac sent it>, with journal/<name>.json saying who sent it, its size, SHA-256,
        times, and whether it is complete. Check a setup without panicking a Mac:  kdumpcloud send --help
        """;
}
