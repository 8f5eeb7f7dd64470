using Baton.AI;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Providers;

/// <summary>The OpenAI-compatible provider against a local server speaking the chat completions protocol.</summary>
public sealed class OpenAiCompatibleProviderTests : IAsyncLifetime
{
    private const string Key = "sk-test-secret-key-1234";
    private readonly ChatCompletionsServer _server = new();
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IChatClient Client(IReadOnlyDictionary<string, string>? headers = null, string? key = Key, string? keyVariable = null) =>
        OpenAiCompatibleChatClient.Create(new OpenAiCompatibleOptions
        {
            Model = "test-model",
            Endpoint = _server.Endpoint,
            ApiKey = key,
            ApiKeyEnvironmentVariable = keyVariable ?? "BATON_TEST_NO_SUCH_VARIABLE",
            Headers = headers,
            Timeout = TimeSpan.FromSeconds(10),
        });

    private static List<ChatMessage> Question(string text = "Hello?") => [new(ChatRole.System, "Be brief."), new(ChatRole.User, text)];

    [Fact]
    public async Task A_plain_reply_with_its_usage()
    {
        _server.Then(ChatCompletionsServer.Completion("Hi there.", promptTokens: 12, completionTokens: 5));

        var response = await Client().GetResponseAsync(Question()).WaitAsync(Bound);

        Assert.Equal("Hi there.", response.Text);
        Assert.Equal(12, response.Usage!.InputTokenCount);
        Assert.Equal(5, response.Usage.OutputTokenCount);
        var request = Assert.Single(_server.Requests);
        Assert.StartsWith("POST /v1/chat/completions", request.RequestLine);
        Assert.Equal($"Bearer {Key}", request.Headers["Authorization"]);
        Assert.Equal("test-model", request.Json["model"]!.GetValue<string>());
        Assert.Equal("Be brief.", request.Json["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_streamed_reply_arrives_delta_by_delta_in_order()
    {
        _server.Then(ChatCompletionsServer.Stream(["Adoption ", "is ", "rising."]));

        var deltas = new List<string>();
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client().GetStreamingResponseAsync(Question()).WithCancellation(new CancellationTokenSource(Bound).Token))
        {
            updates.Add(update);
            if (!string.IsNullOrEmpty(update.Text)) deltas.Add(update.Text);
        }

        Assert.Equal(["Adoption ", "is ", "rising."], deltas);
        var response = updates.ToChatResponse();
        Assert.Equal("Adoption is rising.", response.Text);
        Assert.Equal(3, response.Usage?.OutputTokenCount);
        Assert.True(_server.Requests.Single().Json["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_tool_call_and_its_result_sent_back_on_the_next_turn()
    {
        _server.Then(ChatCompletionsServer.ToolCall("get_weather", """{"city":"Oslo"}"""))
            .Then(ChatCompletionsServer.Completion("It is 4 degrees in Oslo."));
        var client = Client();
        var tool = AIFunctionFactory.Create((string city) => $"4 degrees in {city}", "get_weather", "The weather in a city.");
        var options = new ChatOptions { Tools = [tool] };
        var messages = Question("Weather in Oslo?");

        var first = await client.GetResponseAsync(messages, options).WaitAsync(Bound);
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()));
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Oslo", call.Arguments!["city"]!.ToString());
        messages.AddRange(first.Messages);
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "4 degrees in Oslo")]));
        var second = await client.GetResponseAsync(messages, options).WaitAsync(Bound);

        Assert.Equal("It is 4 degrees in Oslo.", second.Text);
        var followUp = _server.Requests.Last().Json;
        Assert.Equal("get_weather", followUp["tools"]![0]!["function"]!["name"]!.GetValue<string>());
        var toolMessage = followUp["messages"]!.AsArray().Single(m => m!["role"]!.GetValue<string>() == "tool")!;
        Assert.Equal(call.CallId, toolMessage["tool_call_id"]!.GetValue<string>());
        Assert.Contains("4 degrees in Oslo", toolMessage["content"]!.ToJsonString());
    }

    [Fact]
    public async Task A_429_is_transient_with_the_providers_retry_after_and_the_engine_retries_it()
    {
        _server.Then(Reply.Json(429, """{"error":{"message":"Rate limit reached"}}""", new Dictionary<string, string> { ["Retry-After"] = "2" }))
            .Then(ChatCompletionsServer.Completion("after the wait"));
        var client = Client();

        var limited = await Assert.ThrowsAsync<AgentException>(() => client.GetResponseAsync(Question()).WaitAsync(Bound));
        Assert.Equal((ErrorKind.Transient, "rate_limited", TimeSpan.FromSeconds(2)), (limited.Kind, limited.Code, limited.RetryAfter));
        Assert.Contains("Rate limit reached", limited.Message);
        Assert.Single(_server.Requests); // the OpenAI library's own retries are off: the engine decides
        Assert.Equal("after the wait", (await client.GetResponseAsync(Question()).WaitAsync(Bound)).Text);
    }

    [Fact]
    public async Task Through_the_engine_a_429_waits_for_retry_after_on_the_runs_clock_then_succeeds()
    {
        _server.Then(Reply.Json(429, "{}", new Dictionary<string, string> { ["Retry-After"] = "30" }))
            .Then(ChatCompletionsServer.Completion("done"));
        var client = Client();
        var model = Agent.Create("model", async (input, context, ct) =>
            AgentResult.Success(Payload.FromText((await client.GetResponseAsync([new ChatMessage(ChatRole.User, input.AsText())], cancellationToken: ct)).Text)));
        var workflow = new SequentialBuilder("provider").Then(model).Build();
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });
        var run = runtime.Start(workflow, "go");

        var retrying = await run.WatchAsync().OfType<StepRetryingEvent>().FirstAsync().AsTask().WaitAsync(Bound);
        Assert.Equal(TimeSpan.FromSeconds(30), retrying.Delay);
        time.Advance(TimeSpan.FromSeconds(30));
        var result = await run.Completion.WaitAsync(Bound);

        Assert.Equal("done", result.Output!.AsText());
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task A_500_is_transient_and_a_401_is_fatal_without_the_key_in_the_message()
    {
        _server.Then(Reply.Json(500, """{"error":{"message":"upstream overloaded"}}"""))
            .Then(Reply.Json(401, $$$"""{"error":{"message":"Incorrect API key provided: {{{Key[..6]}}}****"}}"""));
        var client = Client();

        var server = await Assert.ThrowsAsync<AgentException>(() => client.GetResponseAsync(Question()).WaitAsync(Bound));
        var auth = await Assert.ThrowsAsync<AgentException>(() => client.GetResponseAsync(Question()).WaitAsync(Bound));

        Assert.Equal((ErrorKind.Transient, "provider_error"), (server.Kind, server.Code));
        Assert.Equal((ErrorKind.Fatal, "unauthorized"), (auth.Kind, auth.Code));
        Assert.Contains("HTTP 401", auth.Message);
        Assert.DoesNotContain(Key, auth.Message);
        Assert.DoesNotContain(Key, auth.ToString());
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task A_400_is_fatal()
    {
        _server.Then(Reply.Json(400, """{"error":{"message":"context too long"}}"""));
        var error = await Assert.ThrowsAsync<AgentException>(() => Client().GetResponseAsync(Question()).WaitAsync(Bound));
        Assert.Equal((ErrorKind.Fatal, "bad_request"), (error.Kind, error.Code));
        Assert.Contains("context too long", error.Message);
    }

    [Fact]
    public async Task A_malformed_body_is_a_clear_error()
    {
        _server.Then(Reply.Json(200, "{\"choices\": [ this is not json"));
        var error = await Assert.ThrowsAsync<AgentException>(() => Client().GetResponseAsync(Question()).WaitAsync(Bound));
        Assert.Equal((ErrorKind.Transient, "malformed_response"), (error.Kind, error.Code));
        Assert.Contains("not valid chat completions JSON", error.Message);
    }

    [Fact]
    public async Task A_connection_dropped_mid_stream_is_a_transient_error_not_a_hang()
    {
        _server.Then(ChatCompletionsServer.Stream(["one ", "two ", "three"], dropAfter: 2));
        var received = new List<string>();

        var error = await Assert.ThrowsAsync<AgentException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync(Question()).WithCancellation(new CancellationTokenSource(Bound).Token))
            {
                if (!string.IsNullOrEmpty(update.Text)) received.Add(update.Text);
            }
        });

        Assert.Equal(["one ", "two "], received);
        Assert.Equal((ErrorKind.Transient, "connection_lost"), (error.Kind, error.Code));
    }

    [Fact]
    public async Task Custom_headers_and_a_key_from_the_environment_reach_the_server()
    {
        var variable = "BATON_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-from-environment");
        try
        {
            _server.Then(ChatCompletionsServer.Completion("ok"));
            var client = Client(new Dictionary<string, string> { ["api-key"] = "azure-style", ["X-Gateway-Route"] = "eu" }, key: null, keyVariable: variable);

            await client.GetResponseAsync(Question()).WaitAsync(Bound);

            var request = Assert.Single(_server.Requests);
            Assert.Equal("Bearer sk-from-environment", request.Headers["Authorization"]);
            Assert.Equal("azure-style", request.Headers["api-key"]);
            Assert.Equal("eu", request.Headers["X-Gateway-Route"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void The_options_never_show_the_key()
    {
        var options = new OpenAiCompatibleOptions { Model = "m", ApiKey = Key };
        Assert.DoesNotContain(Key, options.ToString());
        Assert.Contains("***", options.ToString());
    }
}
