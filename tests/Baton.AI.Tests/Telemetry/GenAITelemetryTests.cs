using System.Diagnostics;
using System.Text.Json.Nodes;
using Baton.AI;
using Baton.Telemetry;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Tags = Baton.Telemetry.BatonTelemetry.Tags;

namespace Baton.AI.Tests.Telemetry;

/// <summary>
/// A run's spans and metrics as an OpenTelemetry exporter receives them, on the GenAI conventions. The SDK's listeners
/// are process-wide and other tests run at the same time, so each test looks only at its own run's trace and at
/// metrics of a model id only it uses. The tests of this class run one after another, so switching content capture
/// on in one never shows in another's spans; and only spans started from this class's tests are sampled, so the
/// exporter's list grows only while its own run does.
/// </summary>
public sealed class GenAITelemetryTests : IDisposable
{
    /// <summary>True in the flow of this class's tests: the sampler records their spans only.</summary>
    private static readonly AsyncLocal<bool> Ours = new();

    private static readonly AIFunction Add = AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two numbers.");

    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly TracerProvider _tracing;
    private readonly MeterProvider _meters;
    private readonly string _model = "model-" + Guid.NewGuid().ToString("N");
    private readonly BatonTelemetryOptions _optionsBefore = BatonTelemetry.Options;

    public GenAITelemetryTests()
    {
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource(BatonTelemetry.Name).SetSampler(new OursOnly()).AddInMemoryExporter(_spans).Build()!;
        // Metrics are exported only when a test flushes them.
        _meters = Sdk.CreateMeterProviderBuilder().AddMeter(BatonTelemetry.Name)
            .AddInMemoryExporter(_metrics, reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue).Build()!;
    }

    public void Dispose()
    {
        BatonTelemetry.Options = _optionsBefore;
        _meters.Dispose();
        _tracing.Dispose();
    }

    [Fact]
    public async Task A_run_with_a_parallel_step_a_model_call_and_a_tool_call_is_one_tree_of_genai_spans()
    {
        Record(content: false);
        using var script = new AgentScript();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(Workflow(script), "2 and 3");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var spans = TraceOf(result.RunId);
        var run = Assert.Single(spans, s => s.DisplayName == "invoke_workflow research-desk");
        Assert.Equal(default, run.ParentSpanId);
        Assert.Equal("invoke_workflow", run.GetTagItem(Tags.Operation));
        Assert.Equal("research-desk", run.GetTagItem(Tags.WorkflowName));
        Assert.Equal(result.RunId, run.GetTagItem(Tags.ConversationId));
        Assert.Equal(result.RunId, run.GetTagItem(Tags.RunId));

        // The parallel step is Baton's own span; each branch's agent span is under it, so under the run.
        var fanout = Assert.Single(spans, s => s.DisplayName == "baton.step desk");
        Assert.Equal(run.SpanId, fanout.ParentSpanId);
        Assert.Null(fanout.GetTagItem(Tags.Operation));
        var calc = Assert.Single(spans, s => s.DisplayName == "invoke_agent calculator");
        var reviewer = Assert.Single(spans, s => s.DisplayName == "invoke_agent reviewer");
        var summary = Assert.Single(spans, s => s.DisplayName == "invoke_agent summarizer");
        Assert.All(new[] { calc, reviewer }, s => Assert.Equal(fanout.SpanId, s.ParentSpanId));
        Assert.Equal(run.SpanId, summary.ParentSpanId);
        foreach (var agent in new[] { calc, reviewer, summary })
        {
            Assert.Equal("invoke_agent", agent.GetTagItem(Tags.Operation));
            Assert.Equal(agent.DisplayName["invoke_agent ".Length..], agent.GetTagItem(Tags.Agent));
            Assert.NotNull(agent.GetTagItem(Tags.AgentId));
            Assert.Equal(result.RunId, agent.GetTagItem(Tags.ConversationId));
            Assert.Equal("research-desk", agent.GetTagItem(Tags.WorkflowName));
            Assert.NotNull(agent.GetTagItem(Tags.StepKey));
            Assert.Equal(1, agent.GetTagItem(Tags.Attempt));
            Assert.Null(agent.GetTagItem(Tags.ErrorType));
        }

        // The model agent: two chat spans (in call order: the scripted model numbers its replies) and one tool span,
        // all children of its agent span.
        var chats = spans.Where(s => s.GetTagItem(Tags.Operation) as string == "chat").OrderBy(s => s.GetTagItem(Tags.ResponseId) as string, StringComparer.Ordinal).ToList();
        Assert.Equal(2, chats.Count);
        Assert.Equal(["scripted-1", "scripted-2"], chats.Select(c => c.GetTagItem(Tags.ResponseId)));
        Assert.All(chats, c =>
        {
            Assert.Equal($"chat {_model}", c.DisplayName);
            Assert.Equal(calc.SpanId, c.ParentSpanId);
            Assert.Equal(ActivityKind.Client, c.Kind);
            Assert.Equal(_model, c.GetTagItem(Tags.RequestModel));
            Assert.Equal(_model, c.GetTagItem(Tags.ResponseModel));
            Assert.Equal("scripted", c.GetTagItem(Tags.ProviderName));
            Assert.Equal("calculator", c.GetTagItem(Tags.Agent));
            Assert.Equal(result.RunId, c.GetTagItem(Tags.ConversationId));
            Assert.IsType<long>(c.GetTagItem(Tags.InputTokens));
            Assert.IsType<long>(c.GetTagItem(Tags.OutputTokens));
        });
        Assert.Equal(["tool_calls"], (string[])chats[0].GetTagItem(Tags.FinishReasons)!);
        Assert.Equal(["stop"], (string[])chats[1].GetTagItem(Tags.FinishReasons)!);

        var tool = Assert.Single(spans, s => s.GetTagItem(Tags.Operation) as string == "execute_tool");
        Assert.Equal("execute_tool add", tool.DisplayName);
        Assert.Equal(calc.SpanId, tool.ParentSpanId);
        Assert.Equal("add", tool.GetTagItem(Tags.ToolName));
        Assert.Equal("function", tool.GetTagItem(Tags.ToolType));
        Assert.NotNull(tool.GetTagItem(Tags.ToolCallId));
        Assert.Null(tool.GetTagItem(Tags.ErrorType));

        // The agent span carries the step's usage: the sum of its model calls.
        var input = chats.Sum(c => (long)c.GetTagItem(Tags.InputTokens)!);
        var output = chats.Sum(c => (long)c.GetTagItem(Tags.OutputTokens)!);
        Assert.Equal(input, calc.GetTagItem(Tags.InputTokens));
        Assert.Equal(output, calc.GetTagItem(Tags.OutputTokens));
        Assert.Equal(result.Usage.InputTokens, run.GetTagItem(Tags.InputTokens));

        // No message content without opting in.
        Assert.All(spans, s => Assert.DoesNotContain(s.TagObjects, t => t.Key is Tags.InputMessages or Tags.OutputMessages or Tags.SystemInstructions or Tags.ToolCallArguments or Tags.ToolCallResult));

        // Metrics: tokens by type and the calls' duration, for this test's model.
        _meters.ForceFlush();
        Assert.Equal(input, HistogramSum("gen_ai.client.token.usage", "input"));
        Assert.Equal(output, HistogramSum("gen_ai.client.token.usage", "output"));
        Assert.Equal(2, HistogramCount("gen_ai.client.token.usage", "input"));
        Assert.Equal(2, HistogramCount("gen_ai.client.operation.duration", tokenType: null));
        var usage = Assert.Single(_metrics, m => m.Name == "gen_ai.client.token.usage");
        Assert.Equal("{token}", usage.Unit);
        Assert.Equal(MetricType.Histogram, usage.MetricType);
        Assert.Equal("s", Assert.Single(_metrics, m => m.Name == "gen_ai.client.operation.duration").Unit);
    }

    [Fact]
    public async Task Message_content_is_recorded_only_when_opted_in()
    {
        Record(content: true);
        using var script = new AgentScript();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(Workflow(script), "2 and 3");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var spans = TraceOf(result.RunId);
        var chats = spans.Where(s => s.GetTagItem(Tags.Operation) as string == "chat").OrderBy(s => s.GetTagItem(Tags.ResponseId) as string, StringComparer.Ordinal).ToList();
        var system = JsonNode.Parse((string)chats[0].GetTagItem(Tags.SystemInstructions)!)!.AsArray();
        Assert.Equal("You add numbers.", (string?)system.Single()!["content"]);
        var firstInput = JsonNode.Parse((string)chats[0].GetTagItem(Tags.InputMessages)!)!.AsArray();
        Assert.Equal("user", (string?)firstInput.Single()!["role"]);
        Assert.Equal("2 and 3", (string?)firstInput.Single()!["parts"]![0]!["content"]);
        var firstOutput = JsonNode.Parse((string)chats[0].GetTagItem(Tags.OutputMessages)!)!.AsArray();
        var call = firstOutput.Single()!["parts"]![0]!;
        Assert.Equal("tool_call", (string?)call["type"]);
        Assert.Equal("add", (string?)call["name"]);
        Assert.Equal(2, (int?)call["arguments"]!["a"]);

        // The second call (the scripted model numbers its replies) sees the tool's result, and its reply is the answer.
        var secondInput = (string)chats[1].GetTagItem(Tags.InputMessages)!;
        Assert.Contains("tool_call_response", secondInput, StringComparison.Ordinal);
        Assert.Contains("the sum is 5", (string)chats[1].GetTagItem(Tags.OutputMessages)!, StringComparison.Ordinal);

        var tool = Assert.Single(spans, s => s.GetTagItem(Tags.Operation) as string == "execute_tool");
        Assert.Equal(new JsonObject { ["a"] = 2, ["b"] = 3 }.ToJsonString(), tool.GetTagItem(Tags.ToolCallArguments));
        Assert.Equal("5", tool.GetTagItem(Tags.ToolCallResult));
    }

    [Fact]
    public async Task A_failing_model_call_marks_its_chat_span_its_agent_span_and_the_run_with_error_type()
    {
        Record(content: false);
        var client = new ScriptedChatClient(new ScriptedModelOptions
        {
            ModelId = _model,
            Replies = [ScriptedReply.FromText("never")],
            Faults = [new ScriptedFault(Call: 1, Status: 401)],
        });
        var agent = new ModelAgent("writer", client);
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("article", agent), "a topic");

        Assert.Equal(RunStatus.Failed, result.Status);
        var spans = TraceOf(result.RunId);
        var chat = Assert.Single(spans, s => s.DisplayName == $"chat {_model}");
        Assert.Equal("unauthorized", chat.GetTagItem(Tags.ErrorType));
        Assert.Equal(ActivityStatusCode.Error, chat.Status);
        var step = Assert.Single(spans, s => s.DisplayName == "invoke_agent writer");
        Assert.Equal(step.SpanId, chat.ParentSpanId);
        Assert.Equal("unauthorized", step.GetTagItem(Tags.ErrorType));
        Assert.Equal(ActivityStatusCode.Error, step.Status);
        var run = Assert.Single(spans, s => s.DisplayName == "invoke_workflow article");
        Assert.Equal("unauthorized", run.GetTagItem(Tags.ErrorType));

        _meters.ForceFlush();
        var duration = Points("gen_ai.client.operation.duration").Single();
        Assert.Equal("unauthorized", Tag(duration, Tags.ErrorType));
        Assert.Empty(Points("gen_ai.client.token.usage"));
    }

    [Fact]
    public async Task A_failing_tool_gets_error_type_on_its_span_while_the_run_goes_on()
    {
        Record(content: false);
        var broken = AIFunctionFactory.Create(string (string q) => throw new InvalidOperationException("the index is down"), "search", "Searches.");
        var client = new ScriptedChatClient(new ScriptedModelOptions
        {
            ModelId = _model,
            Replies = [ScriptedReply.ToolCall("search", new JsonObject { ["q"] = "otel" }), ScriptedReply.FromText("nothing found")],
        });
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("lookup", new ModelAgent("searcher", client, new ModelAgentOptions { Tools = [broken] })), "otel");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var tool = Assert.Single(TraceOf(result.RunId), s => s.DisplayName == "execute_tool search");
        Assert.Equal(typeof(InvalidOperationException).FullName, tool.GetTagItem(Tags.ErrorType));
        Assert.Equal(ActivityStatusCode.Error, tool.Status);
    }

    [Fact]
    public void Content_capture_follows_the_genai_environment_variable()
    {
        // Only this test sets the variable, and it reads it back through FromEnvironment alone.
        var before = Environment.GetEnvironmentVariable(BatonTelemetryOptions.CaptureMessageContentVariable);
        try
        {
            Environment.SetEnvironmentVariable(BatonTelemetryOptions.CaptureMessageContentVariable, null);
            Assert.False(BatonTelemetryOptions.FromEnvironment().CaptureMessageContent);
            Environment.SetEnvironmentVariable(BatonTelemetryOptions.CaptureMessageContentVariable, "TRUE");
            Assert.True(BatonTelemetryOptions.FromEnvironment().CaptureMessageContent);
            Environment.SetEnvironmentVariable(BatonTelemetryOptions.CaptureMessageContentVariable, "1");
            Assert.False(BatonTelemetryOptions.FromEnvironment().CaptureMessageContent);
        }
        finally
        {
            Environment.SetEnvironmentVariable(BatonTelemetryOptions.CaptureMessageContentVariable, before);
        }

        Assert.False(new BatonTelemetryOptions().CaptureMessageContent);
        Assert.Throws<ArgumentNullException>(() => BatonTelemetry.Options = null!);
    }

    [Fact]
    public async Task Without_content_capture_no_span_carries_personal_data_or_a_secret_even_from_a_provider_that_echoes_the_key()
    {
        Record(content: false);
        const string Personal = "Jane Roe, jane.roe@example.com";
        var key = $"sk-marker-{Guid.NewGuid():N}";
        var header = $"marker-header-{Guid.NewGuid():N}";
        var replying = new ScriptedChatClient(new ScriptedModelOptions { ModelId = _model, Replies = [ScriptedReply.FromText($"Dear {Personal}, your refund is on its way.")] });
        // A provider (or proxy) that answers 401 quoting the credentials it was sent.
        using var echoing = new HttpClient(new EchoingCredentialsHandler());
        var careless = OpenAiCompatibleChatClient.Create(new OpenAiCompatibleOptions
        {
            Model = "careless",
            Endpoint = new Uri("http://127.0.0.1:9/v1"),
            ApiKey = key,
            Headers = new Dictionary<string, string> { ["X-Marker"] = header },
        }, echoing);
        await using var runtime = new BatonRuntime();
        var workflow = new SequentialBuilder("support-reply")
            .Then(new ModelAgent("writer", replying, new ModelAgentOptions { Instructions = $"Write to {Personal}." }), id: "write")
            .Then(new ModelAgent("checker", careless), id: "check", retry: RetryPolicy.None)
            .Build();

        var result = await runtime.RunAsync(workflow, $"A refund for {Personal}");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("[redacted]", result.Error!.Message);
        var spans = TraceOf(result.RunId);
        Assert.Contains(spans, s => s.GetTagItem(Tags.Operation) as string == "chat");
        foreach (var span in spans)
        {
            var texts = span.TagObjects.Select(t => $"{t.Key}={t.Value}")
                .Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")))
                .Append(span.StatusDescription ?? "")
                .Append(span.DisplayName);
            foreach (var text in texts)
            {
                Assert.DoesNotContain("Jane Roe", text, StringComparison.Ordinal);
                Assert.DoesNotContain(key, text, StringComparison.Ordinal);
                Assert.DoesNotContain(header, text, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Answers every request 401 with an OpenAI error whose message repeats the request's Authorization and X-Marker headers.</summary>
    private sealed class EchoingCredentialsHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var said = $"Incorrect API key provided: {request.Headers.Authorization}; X-Marker: {string.Join(",", request.Headers.TryGetValues("X-Marker", out var v) ? v : [])}";
            var body = new JsonObject { ["error"] = new JsonObject { ["message"] = said, ["type"] = "invalid_request_error" } }.ToJsonString();
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") });
        }
    }

    /// <summary>Records the spans started from here on in this test's flow, with message content or without.</summary>
    private static void Record(bool content)
    {
        Ours.Value = true;
        BatonTelemetry.Options = new BatonTelemetryOptions { CaptureMessageContent = content };
    }

    /// <summary>A fan-out to a model agent with a tool and a plain agent, then a summary step.</summary>
    private Workflow Workflow(AgentScript script)
    {
        var client = new ScriptedChatClient(new ScriptedModelOptions
        {
            ModelId = _model,
            Replies = [ScriptedReply.ToolCall("add", new JsonObject { ["a"] = 2, ["b"] = 3 }), ScriptedReply.FromText("the sum is 5")],
        });
        var calculator = new ModelAgent("calculator", client, new ModelAgentOptions { Instructions = "You add numbers.", Tools = [Add] });
        var desk = new ParallelBuilder("desk").Branch(calculator).Branch(script.Agent("reviewer").Returns("looks right")).MergeWith(Merge.ByName);
        return new SequentialBuilder("research-desk")
            .Then(desk.BuildStep("desk"))
            .Then(script.Agent("summarizer").Returns("5"), id: "summary")
            .Build();
    }

    private List<Activity> TraceOf(string runId)
    {
        var run = _spans.Single(s => s.GetTagItem(Tags.Operation) as string == "invoke_workflow" && Equals(s.GetTagItem(Tags.RunId), runId));
        return [.. _spans.Where(s => s.TraceId == run.TraceId)];
    }

    private List<MetricPoint> Points(string name)
    {
        var points = new List<MetricPoint>();
        foreach (var metric in _metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                if (Equals(Tag(point, Tags.RequestModel), _model)) points.Add(point);
            }
        }

        return points;
    }

    private IEnumerable<MetricPoint> PointsOf(string name, string? tokenType) =>
        Points(name).Where(p => Equals(Tag(p, Tags.TokenType), tokenType));

    private double HistogramSum(string name, string tokenType) => PointsOf(name, tokenType).Sum(p => p.GetHistogramSum());

    private long HistogramCount(string name, string? tokenType) => PointsOf(name, tokenType).Sum(p => p.GetHistogramCount());

    private static object? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key) return tag.Value;
        }

        return null;
    }

    private sealed class OursOnly : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            new(Ours.Value ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
    }
}
