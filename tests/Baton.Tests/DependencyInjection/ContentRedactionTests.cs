using System.Collections.Concurrent;
using Baton.Compliance;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Baton.Tests.DependencyInjection;

/// <summary>
/// What agents read and write may be personal data: it reaches the log only through the content redactor —
/// <c>[redacted]</c> by default, as it is when the host opts in, or through the host's own redactor.
/// </summary>
public sealed class ContentRedactionTests
{
    private const string Personal = "Jane Roe, born 1980-02-03, jane.roe@example.com";

    private static Workflow Echo() =>
        new SequentialBuilder("profile").Then(Agent.Create("summarise", p => Payload.FromText($"summary of {p.AsText()}"))).Build();

    private static async Task<List<string>> LoggedAsync(Action<BatonServiceOptions>? configure = null, Action<IServiceCollection>? more = null)
    {
        var logs = new RecordingLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(logs);
        services.AddBaton(configure);
        more?.Invoke(services);
        await using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<BatonRuntime>();
        var result = await runtime.RunAsync(Echo(), Personal);
        Assert.True(result.IsSuccess);
        Assert.Contains(Personal, result.Output!.AsText());
        return [.. logs.Entries];
    }

    [Fact]
    public async Task By_default_step_inputs_and_outputs_are_logged_as_redacted()
    {
        var logs = await LoggedAsync();

        var completed = Assert.Single(logs, l => l.Contains("step 1:summarise completed", StringComparison.Ordinal));
        Assert.Contains("input [redacted]; output [redacted]", completed);
        Assert.DoesNotContain(logs, l => l.Contains("Jane Roe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_that_opts_in_logs_the_content()
    {
        var logs = await LoggedAsync(baton => baton.LogContent = true);

        Assert.Contains(logs, l => l.Contains($"input {Personal}; output summary of {Personal}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_redactor_mapped_to_content_is_used()
    {
        var logs = await LoggedAsync(more: services => services.AddRedaction(r => r.SetRedactor<LengthRedactor>(BatonDataClassifications.Content)));

        Assert.Contains(logs, l => l.Contains($"input <{Personal.Length} chars>; output <{("summary of " + Personal).Length} chars>", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains("Jane Roe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_the_container_the_runtime_redacts_unless_given_another_redactor()
    {
        foreach (var (redactor, expected) in new (Redactor?, string)[] { (null, "input [redacted]"), (NullRedactor.Instance, $"input {Personal}") })
        {
            var logs = new RecordingLoggerFactory();
            await using var runtime = new BatonRuntime(new BatonOptions { LoggerFactory = logs, ContentRedactor = redactor });
            Assert.True((await runtime.RunAsync(Echo(), Personal)).IsSuccess);
            Assert.Contains(logs.Entries, l => l.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Content_is_a_data_classification_hosts_can_map()
    {
        Assert.Equal(new DataClassification("Baton", "Content"), BatonDataClassifications.Content);
        Assert.Equal(BatonDataClassifications.Content, new ContentAttribute().Classification);
        Assert.Equal("[redacted]", PlaceholderRedactor.Instance.Redact("anything at all"));
    }

    private sealed class LengthRedactor : Redactor
    {
        public override int GetRedactedLength(ReadOnlySpan<char> input) => $"<{input.Length} chars>".Length;

        public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
        {
            var text = $"<{source.Length} chars>";
            text.AsSpan().CopyTo(destination);
            return text.Length;
        }
    }

    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerFactory factory) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                factory.Entries.Enqueue(formatter(state, exception));
        }
    }
}
