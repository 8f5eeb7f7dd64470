using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Baton.Telemetry;

/// <summary>
/// The <see cref="ActivitySource"/> and <see cref="Meter"/> named <c>Baton</c>: a span per run,
/// per step and per event delivery, counters for runs, steps, retries and events, and the wait and
/// rejections of resources (<c>baton.resource.wait</c>, <c>baton.resource.rejections</c>). Listen
/// with OpenTelemetry's <c>AddSource("Baton")</c> and <c>AddMeter("Baton")</c>.
/// </summary>
/// <remarks>
/// Step spans are children of their run's span (or of the composite step that runs them). A
/// delivery span continues the trace the event was published in, and a run an event starts is
/// its child, so an event-driven cascade reads as one trace. Metrics are recorded while the
/// step's span is current, so a listener can attribute them to a run through <see cref="Activity.Current"/>.
/// </remarks>
public static class BatonTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Baton";

    /// <summary>Spans for runs, steps and event deliveries.</summary>
    public static ActivitySource Source { get; } = new(Name, typeof(BatonTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Run, step and event metrics.</summary>
    public static Meter Meter { get; } = new(Name, typeof(BatonTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> RunsStarted = Meter.CreateCounter<long>("baton.runs.started", description: "Runs started or resumed");
    internal static readonly Counter<long> RunsEnded = Meter.CreateCounter<long>("baton.runs.ended", description: "Runs ended, by status");
    internal static readonly Counter<long> StepsCompleted = Meter.CreateCounter<long>("baton.steps.completed", description: "Steps committed to a journal");
    internal static readonly Counter<long> StepsFailed = Meter.CreateCounter<long>("baton.steps.failed", description: "Steps that failed after their retries");
    internal static readonly Counter<long> StepRetries = Meter.CreateCounter<long>("baton.steps.retries", description: "Step attempts retried");
    internal static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("baton.step.duration", unit: "ms", description: "Time from a step's first attempt to its commit");
    internal static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>("baton.events.published", description: "Events published on the event bus, by topic");
    internal static readonly Counter<long> EventsDelivered = Meter.CreateCounter<long>("baton.events.delivered", description: "Events a subscriber handled, by subscriber");
    internal static readonly Counter<long> EventsDeadLettered = Meter.CreateCounter<long>("baton.events.dead_lettered", description: "Events a subscriber failed after its retries, by subscriber");
    internal static readonly Counter<long> EventRetries = Meter.CreateCounter<long>("baton.events.retries", description: "Event deliveries retried, by subscriber");
    internal static readonly Histogram<double> ResourceWait = Meter.CreateHistogram<double>("baton.resource.wait", unit: "ms", description: "Time a call waited for its resource's quota, by resource (0 when a permit was free)");
    internal static readonly Counter<long> ResourceRejections = Meter.CreateCounter<long>("baton.resource.rejections", description: "Calls a resource turned away, by resource and error.type: quota_wait (waited too long) or circuit_open");

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

        /// <summary>The GenAI operation: <c>invoke_agent</c> on a step that calls an agent.</summary>
        public const string Operation = "gen_ai.operation.name";

        /// <summary>Attempts the step or delivery took.</summary>
        public const string Attempt = "baton.attempt";

        /// <summary>How it ended.</summary>
        public const string Status = "baton.status";

        /// <summary>True for a resumed run.</summary>
        public const string Resumed = "baton.resumed";

        /// <summary>The event's topic (messaging convention).</summary>
        public const string Topic = "messaging.destination.name";

        /// <summary>The event's id (messaging convention).</summary>
        public const string MessageId = "messaging.message.id";

        /// <summary>The messaging system: <c>baton</c>.</summary>
        public const string MessagingSystem = "messaging.system";

        /// <summary>The subscriber an event is delivered to.</summary>
        public const string Subscriber = "baton.subscriber";

        /// <summary>The run that published the event, when a run did.</summary>
        public const string PublisherRunId = "baton.publisher.run.id";

        /// <summary>The resource a call drew on.</summary>
        public const string Resource = "baton.resource";

        /// <summary>Why a call was turned away (OpenTelemetry convention): <c>quota_wait</c>, <c>circuit_open</c>.</summary>
        public const string ErrorType = "error.type";
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
        if (step.AgentName is { } agent)
        {
            activity.SetTag(Tags.Operation, "invoke_agent");
            activity.SetTag(Tags.Agent, agent);
        }

        return activity;
    }

    internal static void EventPublished(string topic, int subscribers)
    {
        if (EventsPublished.Enabled) EventsPublished.Add(1, new KeyValuePair<string, object?>(Tags.Topic, topic));
        Activity.Current?.AddEvent(new ActivityEvent("baton.event.published", tags: new ActivityTagsCollection
        {
            [Tags.Topic] = topic,
            ["baton.subscribers"] = subscribers,
        }));
    }

    internal static Activity? StartDelivery(Message message, string subscriber, ActivityContext parent)
    {
        if (!Source.HasListeners()) return null;
        var activity = Source.StartActivity("baton.event " + message.Topic, ActivityKind.Consumer, parent);
        if (activity is null) return null;
        activity.SetTag(Tags.MessagingSystem, "baton");
        activity.SetTag(Tags.Topic, message.Topic);
        activity.SetTag(Tags.MessageId, message.Id);
        activity.SetTag(Tags.Subscriber, subscriber);
        if (message.RunId is { } publisher) activity.SetTag(Tags.PublisherRunId, publisher);
        return activity;
    }

    internal static void DeliveryRetrying(Activity? activity, string subscriber, int attempt, StepError error)
    {
        activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { [Tags.Attempt] = attempt, ["error.message"] = error.Message }));
        if (EventRetries.Enabled) EventRetries.Add(1, new KeyValuePair<string, object?>(Tags.Subscriber, subscriber));
    }

    internal static void EndDelivery(Activity? activity, string subscriber, int attempts, StepError? error)
    {
        var tag = new KeyValuePair<string, object?>(Tags.Subscriber, subscriber);
        activity?.SetTag(Tags.Attempt, attempts);
        if (error is null)
        {
            activity?.SetTag(Tags.Status, "delivered");
            if (EventsDelivered.Enabled) EventsDelivered.Add(1, tag);
            return;
        }

        activity?.SetTag(Tags.Status, "dead_lettered");
        activity?.SetStatus(ActivityStatusCode.Error, error.Message);
        if (EventsDeadLettered.Enabled) EventsDeadLettered.Add(1, tag);
    }
}
