using System.Net;
using System.Net.Sockets;
using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Providers;

/// <summary>A newcomer's first provider failures: nothing listening at the endpoint, and no API key for OpenAI.</summary>
public sealed class ProviderConnectionTests
{
    private const string Key = "sk-test-secret-key-5678";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static List<ChatMessage> Question() => [new(ChatRole.User, "Hello?")];

    /// <summary>A port on 127.0.0.1 that was bound and closed again: connecting to it is refused.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Nothing_listening_names_the_endpoint_not_the_key()
    {
        var port = ClosedPort();
        var client = OpenAiCompatibleChatClient.Create(new OpenAiCompatibleOptions { Model = "llama3.1", Endpoint = new Uri($"http://127.0.0.1:{port}/v1"), ApiKey = Key });

        var error = await Assert.ThrowsAsync<AgentException>(() => client.GetResponseAsync(Question()).WaitAsync(Bound));

        Assert.Equal($"could not connect to http://127.0.0.1:{port}/v1 (connection refused) for the model 'llama3.1'", error.Message);
        Assert.Equal((ErrorKind.Transient, "connection_failed"), (error.Kind, error.Code));
        Assert.DoesNotContain(Key, error.ToString());
    }

    [Fact]
    public async Task Nothing_listening_fails_a_stream_the_same_way()
    {
        var port = ClosedPort();
        var client = OpenAiCompatibleChatClient.Create(new OpenAiCompatibleOptions { Model = "llama3.1", Endpoint = new Uri($"http://127.0.0.1:{port}/v1/"), ApiKey = Key });

        var error = await Assert.ThrowsAsync<AgentException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync(Question()).WithCancellation(new CancellationTokenSource(Bound).Token))
            {
            }
        });

        Assert.StartsWith($"could not connect to http://127.0.0.1:{port}/v1 (connection refused)", error.Message);
    }

    [Fact]
    public async Task OpenAi_without_a_key_fails_before_any_request_is_sent()
    {
        using var handler = new CountingHandler();
        using var http = new HttpClient(handler);
        var options = new OpenAiCompatibleOptions { Model = "gpt-4o-mini", ApiKeyEnvironmentVariable = "BATON_TEST_NO_SUCH_VARIABLE" };
        var client = OpenAiCompatibleChatClient.Create(options, http);

        var error = await Assert.ThrowsAsync<AgentException>(() => client.GetResponseAsync(Question()).WaitAsync(Bound));
        Assert.Throws<AgentException>(() => client.GetStreamingResponseAsync(Question()));

        Assert.Equal("the model 'gpt-4o-mini' at https://api.openai.com/v1 needs an API key: set the environment variable BATON_TEST_NO_SUCH_VARIABLE, or give the model an 'apiKey'", error.Message);
        Assert.Equal((ErrorKind.Fatal, "missing_api_key"), (error.Kind, error.Code));
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public void Only_OpenAis_own_endpoint_needs_a_key()
    {
        var openAi = new OpenAiCompatibleOptions { Model = "m", ApiKeyEnvironmentVariable = "BATON_TEST_NO_SUCH_VARIABLE" };

        Assert.NotNull(openAi.MissingApiKey());
        Assert.NotNull((openAi with { Endpoint = new Uri("https://API.openai.com/v1") }).MissingApiKey());
        Assert.Null((openAi with { ApiKey = Key }).MissingApiKey());
        Assert.Null((openAi with { Endpoint = new Uri("http://localhost:11434/v1") }).MissingApiKey());
        Assert.Equal("http://localhost:11434/v1", (openAi with { Endpoint = new Uri("http://user:pw@localhost:11434/v1/?key=secret") }).EndpointName);
    }

    private sealed class CountingHandler : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError));
        }
    }
}
