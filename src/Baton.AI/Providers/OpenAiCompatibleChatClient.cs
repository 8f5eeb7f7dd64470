using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Baton.AI;

/// <summary>Makes an <see cref="IChatClient"/> for an OpenAI-compatible endpoint, on the official OpenAI library.</summary>
public static class OpenAiCompatibleChatClient
{
    /// <summary>
    /// Creates the client: the OpenAI library's chat client (with its own retries turned off — Baton's engine retries,
    /// honouring Retry-After, and journals every attempt) adapted by Microsoft.Extensions.AI.OpenAI, wrapped so
    /// provider failures become <see cref="AgentException"/>s of the right kind (<see cref="ProviderErrorMapping"/>).
    /// </summary>
    /// <param name="options">Endpoint, key, model and headers.</param>
    /// <param name="httpClient">The HTTP client to send with; a new one when null.</param>
    public static IChatClient Create(OpenAiCompatibleOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        var clientOptions = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.Timeout,
            OrganizationId = options.Organization,
        };
        if (options.Endpoint is not null) clientOptions.Endpoint = options.Endpoint;
        if (httpClient is not null) clientOptions.Transport = new HttpClientPipelineTransport(httpClient);
        if (options.Headers is { Count: > 0 } headers) clientOptions.AddPolicy(new HeadersPolicy(headers), PipelinePosition.PerCall);
        var chat = new OpenAI.Chat.ChatClient(options.Model, new ApiKeyCredential(options.ResolveApiKey()), clientOptions);
        IChatClient client = new ProviderErrorMapping(chat.AsIChatClient(), options.Model, options.EndpointName, options.SecretValues());
        // Without a key OpenAI refuses every call: fail each one before it is sent, saying what to set (a workflow that
        // is only checked or drawn never calls, so it needs no key).
        return options.MissingApiKey() is { } missing ? new RefusingChatClient(client, missing) : client;
    }

    /// <summary>Fails every call at once, fatally, with the reason no call could succeed.</summary>
    private sealed class RefusingChatClient(IChatClient inner, string reason) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromException<ChatResponse>(Refusal());

        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw Refusal();

        private AgentException Refusal() => new(ErrorKind.Fatal, reason) { Code = "missing_api_key" };
    }

    /// <summary>Adds the configured headers to every request.</summary>
    private sealed class HeadersPolicy(IReadOnlyDictionary<string, string> headers) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }

        private void Apply(PipelineMessage message)
        {
            foreach (var (name, value) in headers) message.Request.Headers.Set(name, value);
        }
    }
}
