using System.Net;
using Baton.Storage;
using Baton.Tests.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Baton.Tests.Engine;

/// <summary>
/// The run kernel and its walls: it depends on the host contract only, ends steps as values (a suspension is not a
/// cancellation), classifies errors through the host, nests workflows through the step context, and the host
/// stops in bounded time.
/// </summary>
public sealed class KernelTests
{
    [Fact]
    public void No_file_of_the_engine_names_the_runtime()
    {
        var engine = Path.Combine(RepositoryRoot(), "src", "Baton", "Engine");
        var offenders = Directory.GetFiles(engine, "*.cs").Where(f => File.ReadAllText(f).Contains("BatonRuntime", StringComparison.Ordinal)).Select(Path.GetFileName).ToArray();

        Assert.Empty(offenders);
    }

    [Fact]
    public async Task A_host_that_is_not_the_runtime_runs_a_run_through_the_kernel()
    {
        var host = new TestHost();
        var workflow = new ParallelBuilder("fan")
            .Branch(Agent.Create("a", input => Payload.FromText(input.AsText() + "-a")))
            .Branch(Agent.Create("b", input => Payload.FromText(input.AsText() + "-b")))
            .Build();
        var kernel = new RunExecution(host, workflow, "run-1", RunLimits.Default, journal: null);
        kernel.Lease = await host.Store.CreateRunAsync(new RunRecord { RunId = "run-1", Workflow = "fan", Status = RunStatus.Running }, "test-host", TimeSpan.FromMinutes(1));

        var result = await kernel.ExecuteAsync(Payload.FromText("x"), resumed: false, CancellationToken.None).Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("""["x-a","x-b"]""", result.Output!.AsText());
        Assert.Equal(3, (await host.Store.ReadJournalAsync("run-1")).Count(e => e.Kind == JournalEntryKind.StepCompleted));
    }

    [Fact]
    public async Task A_suspension_is_not_a_cancellation_so_code_that_treats_those_as_timeouts_lets_it_through()
    {
        var asked = Agent.Create("asker", async (input, context, ct) =>
        {
            try
            {
                return AgentResult.Success(await context.AskAsync(new HumanQuestion("go?"), ct));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The usual HttpClient-timeout filter: a suspension must not land here.
                return AgentResult.Failure(ErrorKind.Transient, "timed out");
            }
        });
        await using var runtime = new BatonRuntime(new BatonOptions { HumanWaitInMemory = TimeSpan.Zero });

        var result = await runtime.RunAsync(Workflow(asked), "x").Within();

        Assert.Equal(RunStatus.Waiting, result.Status);
        Assert.False(typeof(OperationCanceledException).IsAssignableFrom(typeof(RunSuspendedException)));
    }

    [Fact]
    public async Task An_agent_that_swallows_the_suspension_still_suspends_its_run_and_gets_the_answer_on_resume()
    {
        var calls = 0;
        var swallower = Agent.Create("swallower", async (input, context, ct) =>
        {
            Interlocked.Increment(ref calls);
            try
            {
                return AgentResult.Success("answer: " + await context.AskAsync(new HumanQuestion("go?"), ct));
            }
            catch (Exception)
            {
                return AgentResult.Success("no answer");
            }
        });
        var store = new InMemoryRunStore();
        var workflow = Workflow(swallower);
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        runtime.Register(workflow);

        var first = await runtime.RunAsync(workflow, "x").Within();
        var committedWhileWaiting = (await store.ReadJournalAsync(first.RunId)).Count(e => e.Kind == JournalEntryKind.StepCompleted);
        var request = Assert.Single(await runtime.Humans.ListOpenAsync(first.RunId));
        var answered = await runtime.Humans.AnswerAsync(request.Id, "yes");
        var second = await answered.Run!.Completion.Within();

        Assert.Equal(RunStatus.Waiting, first.Status);
        Assert.Equal(0, committedWhileWaiting);
        Assert.Equal("answer: yes", second.Output!.AsText());
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_suspension_racing_the_steps_timeout_suspends_instead_of_retrying_a_timeout()
    {
        var unwinding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racer = Agent.Create("racer", async (input, context, ct) =>
        {
            try
            {
                await context.AskAsync(new HumanQuestion("go?"), ct);
            }
            catch (RunSuspendedException)
            {
                // The step's timeout fires while the suspension unwinds.
                unwinding.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return AgentResult.Success("done");
        });
        var workflow = new WorkflowBuilder("race").AddStep(new AgentStep(racer) { Timeout = TimeSpan.FromMilliseconds(50) }).Build();
        var time = new FakeTime();
        await using var runtime = new BatonRuntime(new BatonOptions { HumanWaitInMemory = TimeSpan.Zero, TimeProvider = time, Limits = RunLimits.Default with { Timeout = null } });

        var handle = runtime.Start(workflow, "x");
        // On fake time the race is the same every time: the 50 ms pass exactly while the suspension unwinds (on the
        // wall clock a busy machine could let them pass before the question was even asked).
        await unwinding.Task.Within();
        await time.AdvanceToTimerAsync(TimeSpan.FromMilliseconds(50));
        var result = await handle.Completion.Within();

        Assert.Equal(RunStatus.Waiting, result.Status);
        Assert.DoesNotContain(handle.EventsSoFar, e => e is StepRetryingEvent);
    }

    [Fact]
    public async Task A_host_error_classifier_makes_a_wrapped_429_transient_so_it_is_retried()
    {
        var calls = 0;
        var flaky = Agent.Create("flaky", (input, _, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1) throw new ProviderFault(new HttpRequestException("busy", null, HttpStatusCode.TooManyRequests));
            return new ValueTask<AgentResult>(AgentResult.Success("ok"));
        });
        var classifier = ErrorClassifier.From((exception, step) => exception is ProviderFault { InnerException: { } inner } ? ErrorClassifier.Classify(inner, step) : null);
        var workflow = new WorkflowBuilder("w").AddStep(new AgentStep(flaky) { Retry = new RetryPolicy { MaxAttempts = 2, InitialDelay = TimeSpan.Zero, Jitter = false } }).Build();
        await using var plain = new BatonRuntime();
        await using var taught = new BatonRuntime(new BatonOptions { ErrorClassifier = classifier });

        var unretried = await plain.RunAsync(workflow, "x").Within();
        calls = 0;
        var retried = await taught.RunAsync(workflow, "x").Within();

        Assert.Equal(RunStatus.Failed, unretried.Status);
        Assert.Equal(ErrorKind.Recoverable, unretried.Error!.Kind);
        Assert.Equal(RunStatus.Succeeded, retried.Status);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_workflow_agent_behind_a_decorator_runs_nested_in_the_same_durable_run()
    {
        var inner = SequentialBuilder.Create("inner", Agent.Create("one", i => Payload.FromText(i.AsText() + "1")), Agent.Create("two", i => Payload.FromText(i.AsText() + "2")));
        var decorated = new Decorator(inner.AsAgent());
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, Limits = RunLimits.Default with { MaxParallel = 1 } });

        var result = await runtime.RunAsync(new WorkflowBuilder("outer").AddStep(new AgentStep(decorated, "wrapped")).Build(), "x").Within();

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("[x12]", result.Output!.AsText());
        var keys = (await store.ReadJournalAsync(result.RunId)).Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => e.Key!).ToArray();
        Assert.Equal(["1:wrapped/1:one", "1:wrapped/2:two", "1:wrapped"], keys);
    }

    [Fact]
    public async Task Disposing_the_runtime_abandons_a_run_whose_agent_ignores_cancellation_after_the_shutdown_timeout()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<AgentResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubborn = Agent.Create("stubborn", (input, _, _) =>
        {
            started.TrySetResult();
            return new ValueTask<AgentResult>(never.Task); // ignores its token
        });
        var logs = new ListLogger();
        var runtime = new BatonRuntime(new BatonOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(100), LoggerFactory = new SingleLoggerFactory(logs) });
        var handle = runtime.Start(new WorkflowBuilder("stubborn").AddStep(stubborn).Build(), "x");
        await started.Task.Within();

        await runtime.DisposeAsync().AsTask().Within();

        Assert.False(handle.Completion.IsCompleted);
        Assert.Contains(logs.Messages, m => m.Contains(handle.RunId, StringComparison.Ordinal) && m.Contains("abandoned", StringComparison.Ordinal));
        never.SetResult(AgentResult.Success("late"));
    }

    [Fact]
    public async Task A_watched_runs_step_events_carry_the_report_path_and_parent_of_nested_steps_and_visits()
    {
        var count = Agent.Create("count", input => Payload.From(input.Get<int>() + 1));
        var loop = new StateMachineBuilder("loop")
            .State("count", count)
            .Transition("count", "count", when: outcome => outcome.Output.Get<int>() < 3)
            .Build();
        var workflow = new ParallelBuilder("fan").Branch("first", loop).Branch(Agent.Create("other", p => p)).Build();
        await using var runtime = new BatonRuntime();

        var handle = runtime.Start(workflow, Payload.From(0));
        await handle.Completion.Within();
        var started = handle.EventsSoFar.OfType<StepStartedEvent>().Select(e => (e.Path, e.Parent)).ToArray();

        Assert.Contains(("fan", (string?)null), started);
        Assert.Contains(("fan/first/count", "fan"), started);
        Assert.Contains(("fan/first/count#2", "fan"), started);
        Assert.Contains(("fan/first/count#3", "fan"), started);
        Assert.Contains(("fan/other/other", "fan"), started);
        Assert.All(handle.EventsSoFar.OfType<StepCompletedEvent>(), e => Assert.NotNull(e.Path));
    }

    [Fact]
    public async Task A_host_that_stops_interrupts_its_runs_and_another_host_resumes_them_while_a_cancelled_run_stays_cancelled()
    {
        var store = new InMemoryRunStore();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var slow = Agent.Create("slow", async (input, context, ct) =>
        {
            if (Interlocked.Increment(ref calls) <= 2)
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return AgentResult.Success("done");
        });
        var workflow = SequentialBuilder.Create("stoppable", Agent.Create("first", p => p), slow);
        RunHandle interrupted;
        RunHandle cancelled;
        await using (var first = new BatonRuntime(new BatonOptions { Store = store }))
        {
            interrupted = first.Start(workflow, "x");
            await started.Task.Within();
            started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cancelled = first.Start(workflow, "y");
            await started.Task.Within();
            cancelled.Cancel();
            Assert.Equal(RunStatus.Cancelled, (await cancelled.Completion.Within()).Status);
        }

        var stopped = await interrupted.Completion.Within();
        await using var second = new BatonRuntime(new BatonOptions { Store = store });
        var resumed = await (await second.ResumeAsync(interrupted.RunId, workflow)).Completion.Within();

        Assert.Equal((RunStatus.Running, "interrupted"), (stopped.Status, stopped.Error!.Code));
        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.DoesNotContain(await store.ReadJournalAsync(interrupted.RunId), e => e.Kind == JournalEntryKind.RunCancelled);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.ResumeAsync(cancelled.RunId, workflow));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_step_refuses_a_parallelism_bound_below_one_whoever_builds_it(int bound)
    {
        var agent = Agent.Create("a", p => p);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelStep("p", [("a", Baton.Workflow.Of(agent))]) { MaxParallel = bound });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ForEachStep("f", Baton.Workflow.Of(agent)) { MaxParallel = bound });
        Assert.Throws<ArgumentOutOfRangeException>(() => new VoteStep("v", [("a", Baton.Workflow.Of(agent))]) { MaxParallel = bound });
    }

    private static Workflow Workflow(IAgent agent) => new WorkflowBuilder(agent.Name).AddStep(agent).Build();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Baton.slnx"))) return dir.FullName;
        }

        throw new InvalidOperationException("the repository root (Baton.slnx) was not found above the test's folder");
    }

    private sealed class ProviderFault(Exception inner) : Exception("the provider failed", inner);

    /// <summary>Adds brackets around another agent's output: a decorator hides the agent's type from the engine.</summary>
    private sealed class Decorator(IAgent inner) : IAgent
    {
        public string Name => inner.Name;

        public async ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken)
        {
            var result = await inner.InvokeAsync(input, context, cancellationToken);
            return result with { Output = Payload.FromText($"[{result.Output.AsText()}]") };
        }
    }

    /// <summary>A host made of parts, with no runtime: what a cluster's run grain or a test host gives the kernel.</summary>
    private sealed class TestHost : IRunHost, IRunLauncher
    {
        public TestHost() => Humans = new HumanRequests(this, validator: null);

        public IRunStore Store { get; } = new InMemoryRunStore();

        public TimeProvider TimeProvider => TimeProvider.System;

        public ILogger Logger => NullLogger.Instance;

        public IServiceProvider? Services => null;

        public ResourceRegistry Resources { get; } = new(TimeProvider.System);

        public IErrorClassifier ErrorClassifier => Baton.ErrorClassifier.Default;

        public int SnapshotEvery => 0;

        public int EventWindow => 1000;

        public HumanRequests Humans { get; }

        public TimeSpan HumanWaitInMemory => TimeSpan.Zero;

        public string HostTypeName => nameof(TestHost);

        public ValueTask PublishAsync(Message message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public RunHandle? GetActiveRun(string runId) => null;

        public Workflow? ResolveWorkflow(RunRecord record) => null;

        public Task<RunHandle> ResumeAsync(string runId, Workflow? workflow = null, RunOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("this test host resumes nothing");

        public Task<RunResult> RunAsync(Workflow workflow, Payload? input = null, RunOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("this test host starts nothing");
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages) Messages.Add(formatter(state, exception));
        }
    }

    private sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}
