using System.Diagnostics.CodeAnalysis;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Agents.AI.Workflows.InProc;
using MafWorkflow = Microsoft.Agents.AI.Workflows.Workflow;
using MafWorkflowBuilder = Microsoft.Agents.AI.Workflows.WorkflowBuilder;

namespace Baton.Benchmarks.Shapes;

/// <summary>
/// The benchmark shapes as Microsoft Agent Framework (Workflows 1.28.0) graphs of trivial executors.
/// </summary>
/// <remarks>
/// A built <see cref="MafWorkflow"/> can be run again and again, one run after the other, provided
/// each run is disposed before the next starts: a run owns its workflow until it is disposed, and
/// a second undisposed run of the same workflow throws in both environments. Executors that keep
/// per-run state (the collectors) are bound through a factory, so every run gets a fresh one and
/// the workflow stays reusable. MAF 1.28 has no superstep cap, so the loop needs no limit raised.
/// </remarks>
public static class MafShapes
{
    /// <summary>The environment object behind <paramref name="environment"/>.</summary>
    public static InProcessExecutionEnvironment Environment(MafEnvironment environment) => environment switch
    {
        MafEnvironment.Lockstep => InProcessExecution.Lockstep,
        MafEnvironment.Default => InProcessExecution.Default,
        _ => throw new ArgumentOutOfRangeException(nameof(environment)),
    };

    /// <summary>
    /// A stateless executor that returns its input; the result is sent along the outgoing edges
    /// and, for an output executor, yielded as the workflow's output.
    /// </summary>
    public static ExecutorBinding NoOp(string id)
    {
        Func<string, string> pass = static s => s;
        return pass.BindAsExecutor(id);
    }

    /// <summary>A stateless executor that waits <paramref name="delay"/> and returns its input.</summary>
    public static ExecutorBinding Delayed(string id, TimeSpan delay)
    {
        Func<string, CancellationToken, ValueTask<string>> pass = async (s, ct) =>
        {
            await Task.Delay(delay, ct).ConfigureAwait(false);
            return s;
        };
        return pass.BindAsExecutor(id);
    }

    /// <summary>A chain of <paramref name="length"/> no-op executors; the last yields the output.</summary>
    public static MafWorkflow Chain(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var steps = Enumerable.Range(0, length).Select(i => NoOp($"step{i}")).ToArray();
        var builder = new MafWorkflowBuilder(steps[0]);
        for (var i = 1; i < length; i++) builder.AddEdge(steps[i - 1], steps[i]);
        return builder.WithOutputFrom(steps[^1]).Build();
    }

    /// <summary>
    /// A start executor fans out to <paramref name="width"/> workers (every message to every
    /// target); a fan-in barrier releases all their results to a collector, which yields the count.
    /// </summary>
    public static MafWorkflow FanOut(int width, TimeSpan workerDelay = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var start = NoOp("start");
        var workers = Enumerable.Range(0, width)
            .Select(i => workerDelay > TimeSpan.Zero ? Delayed($"worker{i}", workerDelay) : NoOp($"worker{i}"))
            .ToArray();
        var collector = Collector.Bind("collector", width);
        return new MafWorkflowBuilder(start)
            .AddFanOutEdge(start, workers)
            .AddFanInBarrierEdge(workers, collector)
            .WithOutputFrom(collector)
            .Build();
    }

    /// <summary>
    /// A two-executor loop: <c>count</c> adds one, <c>check</c> passes it on and goes back while it
    /// is under <paramref name="iterations"/>, else to an exit that yields it. 1000 iterations are
    /// 2000 supersteps and one more for the exit.
    /// </summary>
    public static MafWorkflow Loop(int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        Func<int, int> increment = static i => i + 1;
        Func<int, int> pass = static i => i;
        var count = increment.BindAsExecutor("count");
        var check = pass.BindAsExecutor("check");
        var exit = new IntSink("exit").BindExecutor();
        return new MafWorkflowBuilder(count)
            .AddEdge(count, check)
            .AddEdge<int>(check, count, condition: i => i < iterations)
            .AddEdge<int>(check, exit, condition: i => i >= iterations)
            .WithOutputFrom(exit)
            .Build();
    }

    /// <summary>
    /// A start fans out to a chain of three 10 ms steps and one 30 ms step, joined by a barrier.
    /// Supersteps make the makespan max(10, 30) + 10 + 10 = 50 ms where dataflow needs 30 ms.
    /// </summary>
    public static MafWorkflow UnevenBranches()
    {
        var start = NoOp("start");
        var chain = Enumerable.Range(1, Workload.UnevenChainLength).Select(i => Delayed($"short{i}", Workload.UnevenShortStep)).ToArray();
        var single = Delayed("long", Workload.UnevenLongStep);
        var join = Collector.Bind("join", 2);
        var builder = new MafWorkflowBuilder(start).AddFanOutEdge(start, [chain[0], single]);
        for (var i = 1; i < chain.Length; i++) builder.AddEdge(chain[i - 1], chain[i]);
        return builder
            .AddFanInBarrierEdge([chain[^1], single], join)
            .WithOutputFrom(join)
            .Build();
    }

    /// <summary>
    /// Runs <paramref name="workflow"/> to its end (streaming its events) and returns the last
    /// output it yielded. The run is disposed, which frees the workflow for the next run.
    /// </summary>
    public static async ValueTask<TOut> RunAsync<TIn, TOut>(MafWorkflow workflow, TIn input, MafEnvironment environment)
        where TIn : notnull
    {
        WorkflowOutputEvent? output = null;
        await using var run = await Environment(environment).RunStreamingAsync(workflow, input).ConfigureAwait(false);
        await foreach (var evt in run.WatchStreamAsync().ConfigureAwait(false))
        {
            switch (evt)
            {
                case WorkflowOutputEvent o:
                    output = o;
                    break;
                case WorkflowErrorEvent error:
                    throw new InvalidOperationException($"MAF workflow error: {error.Exception}", error.Exception);
                case ExecutorFailedEvent failed:
                    throw new InvalidOperationException($"MAF executor '{failed.ExecutorId}' failed: {failed.Data}", failed.Data);
            }
        }

        return output is null
            ? throw new InvalidOperationException("the MAF workflow ended without an output")
            : output.As<TOut>()!;
    }

    /// <summary>Runs once and throws unless the output is <paramref name="expected"/>.</summary>
    public static async ValueTask RunCheckedAsync<TIn, TOut>(MafWorkflow workflow, TIn input, MafEnvironment environment, TOut expected)
        where TIn : notnull
    {
        var output = await RunAsync<TIn, TOut>(workflow, input, environment).ConfigureAwait(false);
        if (!EqualityComparer<TOut>.Default.Equals(output, expected))
        {
            throw new InvalidOperationException($"MAF {environment}: expected {expected}, got {output}");
        }
    }

    /// <summary>
    /// Fan-in target: a barrier releases every worker's message to it in one superstep, one
    /// <c>HandleAsync</c> each; it yields how many it got once it has them all. Bound through a
    /// factory so each run has its own count.
    /// </summary>
    [YieldsOutput(typeof(int))]
    [SuppressMessage("Performance", "CA1812", Justification = "Created by MAF through the factory binding.")]
    private sealed class Collector(string id, int expected) : Executor<string>(id)
    {
        private int _received;

        public override async ValueTask HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default)
        {
            if (++_received == expected)
            {
                await context.YieldOutputAsync(_received, cancellationToken).ConfigureAwait(false);
            }
        }

        public static ExecutorBinding Bind(string id, int expected)
        {
            Func<string, string, ValueTask<Collector>> factory = (executorId, _) => new ValueTask<Collector>(new Collector(executorId, expected));
            return factory.BindExecutor(id);
        }
    }

    /// <summary>Stateless sink that yields the number that reaches it (ends the loop).</summary>
    [YieldsOutput(typeof(int))]
    private sealed class IntSink(string id) : Executor<int>(id, declareCrossRunShareable: true)
    {
        public override ValueTask HandleAsync(int message, IWorkflowContext context, CancellationToken cancellationToken = default) =>
            context.YieldOutputAsync(message, cancellationToken);
    }
}
