using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Baton.Telemetry;

/// <summary>
/// The <see cref="ActivitySource"/> and <see cref="Meter"/> named <c>Baton</c>: a span per run
/// and per step, and counters for runs, steps and retries. Listen with OpenTelemetry's
/// <c>AddSource("Baton")</c> and <c>AddMeter("Baton")</c>.
/// </summary>
public static class BatonTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Baton";

    /// <summary>Spans for runs and steps.</summary>
    public static ActivitySource Source { get; } = new(Name, typeof(BatonTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Run and step metrics.</summary>
    public static Meter Meter { get; } = new(Name, typeof(BatonTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> RunsStarted = Meter.CreateCounter<long>("baton.runs.started", description: "Runs started or resumed");
    internal static readonly Counter<long> RunsEnded = Meter.CreateCounter<long>("baton.runs.ended", description: "Runs ended, by status");
    internal static readonly Counter<long> StepsCompleted = Meter.CreateCounter<long>("baton.steps.completed", description: "Steps committed to a journal");
    internal static readonly Counter<long> StepsFailed = Meter.CreateCounter<long>("baton.steps.failed", description: "Steps that failed after their retries");
    internal static readonly Counter<long> StepRetries = Meter.CreateCounter<long>("baton.steps.retries", description: "Step attempts retried");
    internal static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("baton.step.duration", unit: "ms", description: "Time from a step's first attempt to its commit");

    /// <summary>Tag names on spans and metrics.</summary>
    public static class Tags
    {
        /// <summary>The run's id.</summary>
        public const string RunId = "baton.run.id";

        /// <summary>The workflow's name.</summary>
        public const string Workflow = "baton.workflow";

        /// <summary>The step's id.</summary>
        public const string StepId = "baton.step.id";

        /// <summary>The step's key: its position in the run.</summary>
        public const string StepKey = "baton.step.key";

        /// <summary>The agent's name (GenAI convention).</summary>
        public const string Agent = "gen_ai.agent.name";

        /// <summary>Attempts the step took.</summary>
        public const string Attempt = "baton.attempt";

        /// <summary>How it ended.</summary>
        public const string Status = "baton.status";

        /// <summary>True for a resumed run.</summary>
        public const string Resumed = "baton.resumed";
    }

    internal static Activity? StartRun(string runId, string workflow, bool resumed)
    {
        if (!Source.HasListeners()) return null;
        var activity = Source.StartActivity("baton.run " + workflow, ActivityKind.Internal);
        activity?.SetTag(Tags.RunId, runId);
        activity?.SetTag(Tags.Workflow, workflow);
        activity?.SetTag(Tags.Resumed, resumed);
        return activity;
    }

    internal static Activity? StartStep(string runId, string key, Step step)
    {
        if (!Source.HasListeners()) return null;
        var activity = Source.StartActivity("baton.step " + step.Id, ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag(Tags.RunId, runId);
        activity.SetTag(Tags.StepId, step.Id);
        activity.SetTag(Tags.StepKey, key);
        if (step.AgentName is { } agent) activity.SetTag(Tags.Agent, agent);
        return activity;
    }
}
