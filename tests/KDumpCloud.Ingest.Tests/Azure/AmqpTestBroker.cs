using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Amqp;
using Amqp.Framing;
using Amqp.Handler;
using Amqp.Listener;
using Amqp.Sasl;
using Amqp.Types;

namespace KDumpCloud.Ingest.Tests.Azure;

/// <summary>
/// A small AMQP 1.0 broker on 127.0.0.1 (AMQPNetLite's ContainerHost) that accepts what the Service Bus SDK does on a
/// plain-AMQP connection (<c>UseDevelopmentEmulator=true</c>): SASL with the MSSBCBS or ANONYMOUS mechanism, a
/// put-token request on <c>$cbs</c> (answered 202 with the request's message id as correlation id, as the SDK
/// requires), then a sending link to one topic, whose messages it keeps for the test to read. Every link announces
/// Service Bus Standard's 256 KB message limit, which the SDK enforces before it sends.
/// </summary>
internal sealed class AmqpTestBroker : IDisposable
{
    /// <summary>Service Bus Standard's limit, which the broker announces on every link as the real service does;
    /// the SDK refuses to send a larger message.</summary>
    public const int MaxMessageBytes = 256 * 1024;

    private const int MaxPortAttempts = 5;
    private readonly ContainerHost _host;
    private readonly Channel<Message> _received = Channel.CreateUnbounded<Message>();
    private readonly CbsProcessor _cbs = new();

    public AmqpTestBroker(string topic)
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var host = new ContainerHost(new Address($"amqp://127.0.0.1:{Port}"));
            host.Listeners[0].SASL.EnableMechanism((Symbol)"MSSBCBS", SaslProfile.Anonymous);
            host.Listeners[0].SASL.EnableAnonymousMechanism = true;
            host.Listeners[0].HandlerFactory = _ => new MaxMessageSizeHandler();
            host.RegisterRequestProcessor("$cbs", _cbs);
            host.RegisterLinkProcessor(new TopicLinkProcessor(topic, _received.Writer));
            try
            {
                host.Open();
                _host = host;
                return;
            }
            catch (Exception) when (attempt < MaxPortAttempts)
            {
                // The free port was taken between finding it and binding it: try another.
                host.Close();
            }
        }
    }

    public int Port { get; }

    /// <summary>How many put-token requests were answered.</summary>
    public int TokensPut => _cbs.Count;

    /// <summary>A Service Bus connection string for this broker (the SDK then speaks plain AMQP to the given port).</summary>
    public string ConnectionString =>
        $"Endpoint=sb://127.0.0.1:{Port}/;SharedAccessKeyName=test;SharedAccessKey=dGVzdC1rZXk=;UseDevelopmentEmulator=true";

    /// <summary>The next message a sender delivered, within <paramref name="timeout"/>.</summary>
    public async Task<Message> ReceiveAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        return await _received.Reader.ReadAsync(deadline.Token);
    }

    public void Dispose() => _host.Close();

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Sets max-message-size on the attach frames the broker sends.</summary>
    private sealed class MaxMessageSizeHandler : IHandler
    {
        public bool CanHandle(EventId id) => id == EventId.LinkLocalOpen;

        public void Handle(Event protocolEvent)
        {
            if (protocolEvent.Context is Attach attach)
            {
                attach.MaxMessageSize = MaxMessageBytes;
            }
        }
    }

    private sealed class CbsProcessor : IRequestProcessor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public int Credit => 100;

        public void Process(RequestContext requestContext)
        {
            Interlocked.Increment(ref _count);
            var response = new Message("Accepted")
            {
                Properties = new Properties { CorrelationId = requestContext.Message.Properties?.MessageId },
                ApplicationProperties = new ApplicationProperties(),
            };
            response.ApplicationProperties["status-code"] = 202;
            response.ApplicationProperties["status-description"] = "Accepted";
            requestContext.Complete(response);
        }
    }

    private sealed class TopicLinkProcessor(string topic, ChannelWriter<Message> received) : ILinkProcessor
    {
        public void Process(AttachContext attachContext)
        {
            var attach = attachContext.Attach;
            var address = (attach.Target as Target)?.Address?.TrimStart('/');
            if (attach.Role || !string.Equals(address, topic, StringComparison.Ordinal))
            {
                attachContext.Complete(new Error(ErrorCode.NotFound) { Description = $"this broker has only the topic {topic}, to send to" });
                return;
            }

            attachContext.Complete(new TopicEndpoint(received), 100);
        }
    }

    /// <summary>Keeps each message and accepts it (settles it as the SDK's sender expects).</summary>
    private sealed class TopicEndpoint(ChannelWriter<Message> received) : LinkEndpoint
    {
        public override void OnMessage(MessageContext messageContext)
        {
            received.TryWrite(messageContext.Message);
            messageContext.Complete();
        }

        public override void OnFlow(FlowContext flowContext)
        {
        }

        public override void OnDisposition(DispositionContext dispositionContext) => dispositionContext.Complete();
    }
}
