using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Baton.Telemetry;

/// <summary>
/// The <see cref="ActivitySource"/> and <see cref="Meter"/> named <c>Baton</c>, following the OpenTelemetry GenAI
/// conventions: an <c>invoke_workflow</c> span per run, an <c>invoke_agent</c> span per agent step, <c>chat</c> and
/// <c>execute_tool</c> spans for a model agent's calls, a span per event delivery; the GenAI metrics
/// <c>gen_ai.client.token.usage</c> and <c>gen_ai.client.operation.duration</c>, counters for runs, steps, retries and
/// events, and the wait and rejections of resources (<c>baton.resource.wait</c>, <c>baton.resource.rejections</c>).
/// Listen with OpenTelemetry's <c>AddSource("Baton")</c> and <c>AddMeter("Baton")</c>.
/// </summary>
/// <remarks>
/// Step spans are children of their run's span (or of the composite step that runs them); a model agent's chat and
/// tool spans are children of its step's span. A delivery span continues the trace the event was published in, and a
/// run an event starts is its child, so an event-driven cascade reads as one trace. Metrics are recorded while the
/// step's span is current, so a listener can attribute them to a run through <see cref="Activity.Current"/>. Message
/// content is recorded only when <see cref="Options"/> asks for it.
/// </remarks>
public static class BatonTelemetry
{
    private static BatonTelemetryOptions _options = BatonTelemetryOptions.FromEnvironment();

    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Baton";

    /// <summary>Spans for runs, steps, model and tool calls, and event deliveries.</summary>
    public static ActivitySource Source { get; } = new(Name, typeof(BatonTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Run, step, event and GenAI metrics.</summary>
    public static Meter Meter { get; } = new(Name, typeof(BatonTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// What spans may record; by default read from the environment (<see cref="BatonTelemetryOptions.FromEnvironment"/>).
    /// It is process-wide because the ActivitySource it governs is.
    /// </summary>
    public static BatonTelemetryOptions Options
    {
        get => Volatile.Read(ref _options);
        set => Volatile.Write(ref _options, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Tokens a GenAI operation used, by <c>gen_ai.token.type</c> (<c>input</c> or <c>output</c>), operation and model (GenAI convention).</summary>
    public static Histogram<long> TokenUsage { get; } = Meter.CreateHistogram<long>("gen_ai.client.token.usage", unit: "{token}", description: "Number of input and output tokens used");

    /// <summary>How long a GenAI operation took, in seconds, by operation and model (GenAI convention).</summary>
    public static Histogram<double> OperationDuration { get; } = Meter.CreateHistogram<double>("gen_ai.client.operation.duration", unit: "s", description: "GenAI operation duration");

    internal static readonly Counter<long> RunsStarted = Meter.CreateCounter<long>("baton.runs.started", description: "Runs started or resumed");
    internal static readonly Counter<long> RunsEnded = Meter.CreateCounter<long>("baton.runs.ended", description: "Runs ended, by status");
    internal static readonly Counter<long> StepsCompleted = Meter.CreateCounter<long>("baton.steps.completed", description: "Steps committed to a journal");
    internal static readonly Counter<long> StepsFailed = Meter.CreateCounter<long>("baton.steps.failed", description: "Steps that failed after their retries, by error.type");
    internal static readonly Counter<long> StepRetries = Meter.CreateCounter<long>("baton.steps.retries", description: "Step attempts retried");
    internal static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("baton.step.duration", unit: "ms", description: "Time from a step's first attempt to its commit");
    internal static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>("baton.events.published", description: "Events published on the event bus, by topic");
    internal static readonly Counter<long> EventsDelivered = Meter.CreateCounter<long>("baton.events.delivered", description: "Events a subscriber handled, by subscriber");
    internal static readonly Counter<long> EventsDeadLettered = Meter.CreateCounter<long>("baton.events.dead_lettered", description: "Events a subscriber failed after its retries, by subscriber");
    internal static readonly Counter<long> EventRetries = Meter.CreateCounter<long>("baton.events.retries", description: "Event deliveries retried, by subscriber");
    internal static readonly Histogram<double> ResourceWait = Meter.CreateHistogram<double>("baton.resource.wait", unit: "ms", description: "Time a call waited for its resource's quota, by resource (0 when a permit was free)");
    internal static readonly Counter<long> ResourceRejections = Meter.CreateCounter<long>("baton.resource.rejections", description: "Calls a resource turned away, by resource and error.type: quota_wait (waited too long) or circuit_open");

    /// <summary>Values of <see cref="Tags.Operation"/> (GenAI convention).</summary>
    public static class Operations
    {
        /// <summary>A run of a workflow.</summary>
        public const string InvokeWorkflow = "invoke_workflow";

        /// <summary>A step that calls an agent.</summary>
        public const string InvokeAgent = "invoke_agent";

        /// <summary>A tool call a model asked for.</summary>
        public const string ExecuteTool = "execute_tool";

        /// <summary>A call to a chat model.</summary>
        public const string Chat = "chat";
    }

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

        /// <summary>The agent's id (GenAI convention): the id of the step that calls it, unique in its workflow.</summary>
        public const string AgentId = "gen_ai.agent.id";

        /// <summary>The GenAI operation: one of <see cref="Operations"/>.</summary>
        public const string Operation = "gen_ai.operation.name";

        /// <summary>The workflow's name (GenAI convention).</summary>
        public const string WorkflowName = "gen_ai.workflow.name";

        /// <summary>The run's id, which is the conversation every span of the run belongs to (GenAI convention).</summary>
        public const string ConversationId = "gen_ai.conversation.id";

        /// <summary>The model asked for (GenAI convention).</summary>
        public const string RequestModel = "gen_ai.request.model";

        /// <summary>The model that answered (GenAI convention).</summary>
        public const string ResponseModel = "gen_ai.response.model";

        /// <summary>The id of the model's reply (GenAI convention).</summary>
        public const string ResponseId = "gen_ai.response.id";

        /// <summary>Why the model stopped, one per choice (GenAI convention).</summary>
        public const string FinishReasons = "gen_ai.response.finish_reasons";

        /// <summary>Who serves the model, e.g. <c>openai</c> (GenAI convention).</summary>
        public const string ProviderName = "gen_ai.provider.name";

        /// <summary>Input (prompt) tokens used (GenAI convention).</summary>
        public const string InputTokens = "gen_ai.usage.input_tokens";

        /// <summary>Output (completion) tokens used (GenAI convention).</summary>
        public const string OutputTokens = "gen_ai.usage.output_tokens";

        /// <summary>The kind of tokens a <see cref="TokenUsage"/> measurement counts: <c>input</c> or <c>output</c> (GenAI convention).</summary>
        public const string TokenType = "gen_ai.token.type";

        /// <summary>The cost of the tokens used, where the model has a price; GenAI has no name for it.</summary>
        public const string Cost = "baton.usage.cost";

        /// <summary>The tool's name (GenAI convention).</summary>
        public const string ToolName = "gen_ai.tool.name";

        /// <summary>The id of the model's tool call (GenAI convention).</summary>
        public const string ToolCallId = "gen_ai.tool.call.id";

        /// <summary>The kind of tool: <c>function</c> (GenAI convention).</summary>
        public const string ToolType = "gen_ai.tool.type";

        /// <summary>The tool call's arguments as JSON; only with content capture on (GenAI convention).</summary>
        public const string ToolCallArguments = "gen_ai.tool.call.arguments";

        /// <summary>The tool call's result; only with content capture on (GenAI convention).</summary>
        public const string ToolCallResult = "gen_ai.tool.call.result";

        /// <summary>The messages sent to the model as JSON; only with content capture on (GenAI convention).</summary>
        public const string InputMessages = "gen_ai.input.messages";

        /// <summary>The model's reply messages as JSON; only with content capture on (GenAI convention).</summary>
        public const string OutputMessages = "gen_ai.output.messages";

        /// <summary>The system instructions sent to the model as JSON; only with content capture on (GenAI convention).</summary>
        public const string SystemInstructions = "gen_ai.system_instructions";

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

        /// <summary>
        /// What went wrong (OpenTelemetry convention): on a failed run, step, chat or tool span, the error's code, else its
        /// exception type, else its kind; on a rejected resource call, <c>quota_wait</c> or <c>circuit_open</c>.
        /// </summary>
        public const string ErrorType = "error.type";
    }

    internal static Activity? StartRun(string runId, string workflow, bool resumed)
    {
        if (!Source.HasListeners()) return null;
        var activity = Source.StartActivity(Operations.InvokeWorkflow + " " + workflow, ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag(Tags.Operation, Operations.InvokeWorkflow);
        activity.SetTag(Tags.WorkflowName, workflow);
        activity.SetTag(Tags.ConversationId, runId);
        activity.SetTag(Tags.RunId, runId);
        activity.SetTag(Tags.Workflow, workflow);
        activity.SetTag(Tags.Resumed, resumed);
        return activity;
    }

    /// <summary>True when something listens to Baton's spans: steps then start one.</summary>
    internal static bool IsTracing => Source.HasListeners();

    /// <summary>A step's span: <c>invoke_agent {agent}</c> for a step that calls an agent, else <c>baton.step {id}</c> (a composite step).</summary>
    internal static Activity? StartStep(string runId, string workflow, string key, Step step)
    {
        if (!Source.HasListeners()) return null;
        var agent = step.AgentName;
        var activity = Source.StartActivity(agent is null ? "baton.step " + step.Id : Operations.InvokeAgent + " " + agent, ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag(Tags.RunId, runId);
        activity.SetTag(Tags.StepId, step.Id);
        activity.SetTag(Tags.StepKey, key);
        activity.SetTag(Tags.ConversationId, runId);
        activity.SetTag(Tags.WorkflowName, workflow);
        if (agent is not null)
        {
            activity.SetTag(Tags.Operation, Operations.InvokeAgent);
            activity.SetTag(Tags.Agent, agent);
            activity.SetTag(Tags.AgentId, step.Id);
        }

        return activity;
    }

    /// <summary>Records a step's commit: its counters, and the tokens it used on its span.</summary>
    internal static void StepCompleted(Activity? activity, TimeSpan elapsed, Usage usage)
    {
        SetUsage(activity, usage);
        if (StepsCompleted.Enabled) StepsCompleted.Add(1);
        if (StepDuration.Enabled) StepDuration.Record(elapsed.TotalMilliseconds);
    }

    /// <summary>Records a step that failed after its retries: <c>error.type</c> on its span and counter, and the tokens it used.</summary>
    internal static void StepFailed(Activity? activity, StepError error, Usage usage)
    {
        var type = ErrorTypeOf(error);
        activity?.SetTag(Tags.ErrorType, type);
        SetUsage(activity, usage);
        if (StepsFailed.Enabled) StepsFailed.Add(1, new KeyValuePair<string, object?>(Tags.ErrorType, type));
    }

    /// <summary>Records a run's end: its counter by status, the tokens it used, and <c>error.type</c> when it did not succeed.</summary>
    internal static void RunEnded(Activity? activity, string status, StepError? error, Usage usage)
    {
        if (error is not null) activity?.SetTag(Tags.ErrorType, ErrorTypeOf(error));
        SetUsage(activity, usage);
        RunsEnded.Add(1, new KeyValuePair<string, object?>(Tags.Status, status));
    }

    /// <summary>A low-cardinality name for an error, as <c>error.type</c> wants: its code, else its exception type, else its kind.</summary>
    internal static string ErrorTypeOf(StepError error) =>
        error.Code ?? error.ExceptionType ?? error.Kind.ToString().ToLowerInvariant();

    private static void SetUsage(Activity? activity, Usage usage)
    {
        if (activity is null || usage == default) return;
        activity.SetTag(Tags.InputTokens, usage.InputTokens);
        activity.SetTag(Tags.OutputTokens, usage.OutputTokens);
        if (usage.Cost != 0) activity.SetTag(Tags.Cost, (double)usage.Cost);
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
